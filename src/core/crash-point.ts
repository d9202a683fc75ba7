/**
 * Named points where a test can make the process die as if killed (VSS_CRASH_AT=name), fail
 * with an uncaught error as a bug would (VSS_CRASH_AT=name:throw), or stop (SIGSTOP) the first
 * time it gets there (VSS_CRASH_AT=name:stop), so that a test changes the world at exactly that
 * step and lets it go on (SIGCONT): a race made deterministic. A crash between any two steps of a
 * multi-step operation must lose nothing and leave nothing running.
 */
export function crashPoint(name: string): void {
  const at = process.env.VSS_CRASH_AT;
  if (at === undefined) return;
  if (at === name) process.kill(process.pid, 'SIGKILL');
  // Thrown from a callback of its own, outside every try and promise: nothing can catch it.
  else if (at === `${name}:throw`) setImmediate(() => { throw new Error(`crash point ${name}`); });
  else if (at === `${name}:stop` && !stopped.has(name)) {
    stopped.add(name);
    process.kill(process.pid, 'SIGSTOP');
  }
}

/** The points this process has stopped at once already (a retried step goes on unhindered). */
const stopped = new Set<string>();
