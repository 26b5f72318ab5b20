// Which command-line arguments belong to Bandeja in an Electron launch (Chromium adds its own switches),
// and the desktop default: without --server, the embedded server starts with the demo tenant.
const VALUE_FLAGS = new Set(['--server', '--port', '--server-port', '--data-dir', '--lang']);
const BOOLEAN_FLAGS = new Set(['--demo']);

export function electronLaunchArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const name = arg.split('=')[0]!;
    if (BOOLEAN_FLAGS.has(name)) out.push(arg);
    else if (VALUE_FLAGS.has(name)) {
      out.push(arg);
      if (!arg.includes('=') && i + 1 < argv.length) out.push(argv[++i]!);
    }
  }
  const hasServer = out.some((a) => a === '--server' || a.startsWith('--server='));
  if (!hasServer && !out.includes('--demo')) out.push('--demo');
  return out;
}
