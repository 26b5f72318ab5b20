// Initials on a colour picked from the name, so the same person always looks the same.
const HUES = [210, 160, 280, 20, 330, 190, 45, 250];

function hueFor(name: string): number {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.codePointAt(0)!) >>> 0;
  return HUES[h % HUES.length]!;
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const first = parts[0]?.[0] ?? '?';
  const last = parts.length > 1 ? parts[parts.length - 1]![0] : '';
  return (first + (last ?? '')).toUpperCase();
}

export function Avatar({ name, size = 32 }: { name: string; size?: number }) {
  const hue = hueFor(name);
  return (
    <span
      className="avatar"
      aria-hidden="true"
      style={{ width: size, height: size, fontSize: size * 0.4, ['--avatar-hue' as string]: String(hue) }}
    >
      {initials(name)}
    </span>
  );
}
