// The page's uncaught errors and unhandled rejections go to the app's log file (desktop.log.report), so
// support sees them beside the main process's and the core's lines. At most a few a minute: a render loop
// that throws must not fill the log.
import { call } from '../bridge/client';

const PER_MINUTE = 10;

export function startErrorReports(target: Window = window): void {
  let windowStart = 0;
  let sent = 0;
  const report = (message: string, stack: string | null, where: string | null) => {
    const now = Date.now();
    if (now - windowStart > 60_000) {
      windowStart = now;
      sent = 0;
    }
    if (++sent > PER_MINUTE) return;
    // A report that cannot be written is dropped: reporting it would loop.
    void call('desktop.log.report', { message: message.slice(0, 2000), stack: stack?.slice(0, 8000) ?? null, where }).catch(
      () => undefined,
    );
  };
  const describe = (value: unknown): { message: string; stack: string | null } =>
    value instanceof Error
      ? { message: `${value.name}: ${value.message}`, stack: value.stack ?? null }
      : { message: String(value), stack: null };
  target.addEventListener('error', (event) => {
    const { message, stack } =
      event.error === undefined || event.error === null ? { message: event.message, stack: null } : describe(event.error);
    report(message, stack, event.filename ? `${event.filename.split('/').pop() ?? ''}:${event.lineno}` : null);
  });
  target.addEventListener('unhandledrejection', (event) => {
    const { message, stack } = describe(event.reason);
    report(`Unhandled rejection: ${message}`, stack, null);
  });
}
