/**
 * Ctrl-C, kill and a closed terminal. By default the process exits at once (through
 * process.exit, so the library lock is released, SQLite rolls back the open batch, and the exit
 * hook of the core kills every external tool still running, synchronously). A command with work
 * to wind down (`jobs run`: stop its jobs, kill their tools, print the summary) installs a
 * graceful handler; a second signal then exits at once, through the same exit.
 */
const EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
let graceful: (() => void) | undefined;

export function installSignalHandlers(): void {
  for (const signal of Object.keys(EXIT_CODES) as Array<keyof typeof EXIT_CODES>) {
    process.on(signal, () => {
      const handler = graceful;
      graceful = undefined;
      if (handler) handler();
      else process.exit(EXIT_CODES[signal]);
    });
  }
}

/** Handle the next stop signal with FN instead of exiting; returns the undo. */
export function onStopSignal(fn: () => void): () => void {
  graceful = fn;
  return () => {
    if (graceful === fn) graceful = undefined;
  };
}
