// Which command-line arguments belong to Bandeja in an Electron launch (Chromium adds its own switches).
// Nothing is added: without --server or --demo the app asks for its server on the sign-in screen (the
// demo, with its published passwords, starts only when asked; `npm start` passes --demo itself).
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
  return out;
}
