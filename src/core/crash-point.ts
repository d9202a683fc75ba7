/**
 * Named points where a test can make the process die as if killed (VSS_CRASH_AT=name), or fail
 * with an uncaught error as a bug would (VSS_CRASH_AT=name:throw), to prove that a crash between
 * any two steps of a multi-step operation loses nothing and leaves nothing running.
 */
export function crashPoint(name: string): void {
  const at = process.env.VSS_CRASH_AT;
  if (at === undefined) return;
  if (at === name) process.kill(process.pid, 'SIGKILL');
  // Thrown from a callback of its own, outside every try and promise: nothing can catch it.
  else if (at === `${name}:throw`) setImmediate(() => { throw new Error(`crash point ${name}`); });
}
