// The terminal as the monitor borrows it: the alternate screen (the shell's scrollback comes
// back intact on exit) with the cursor hidden, given back exactly once however the monitor ends.

// The cursor goes home too: the alternate screen keeps the cursor where the shell left it, and
// Ink draws from the cursor down (from a prompt at the bottom, the screen began off its end).
const ENTER = '\x1b[?1049h\x1b[H\x1b[?25l';
const LEAVE = '\x1b[?25h\x1b[?1049l';

/** Switches to the alternate screen; the returned function switches back (idempotent). */
export function borrowScreen(stdout: NodeJS.WriteStream): () => void {
  stdout.write(ENTER);
  let given = false;
  return () => {
    if (given) return;
    given = true;
    try {
      stdout.write(LEAVE);
    } catch {
      // The terminal is gone (SIGHUP): nothing left to restore.
    }
  };
}

/**
 * Calls `end` on SIGTERM, SIGINT (kill -INT; Ctrl-C itself is a key in raw mode) and SIGHUP
 * (the terminal closed), and restores the terminal before an uncaught error ends the process.
 * Returns a function that removes the handlers.
 */
export function onTermination(end: () => void, restore: () => void): () => void {
  const signals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
  const crash = (err: unknown) => {
    restore();
    process.stderr.write(`vigil monitor: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  };
  for (const s of signals) process.on(s, end);
  process.on('uncaughtException', crash).on('unhandledRejection', crash);
  return () => {
    for (const s of signals) process.off(s, end);
    process.off('uncaughtException', crash).off('unhandledRejection', crash);
  };
}
