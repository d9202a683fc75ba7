/**
 * Named points where a test can make the process die as if killed (VSS_CRASH_AT=name), to prove
 * that a crash between any two steps of a multi-step operation loses nothing.
 */
export function crashPoint(name: string): void {
  if (process.env.VSS_CRASH_AT === name) process.kill(process.pid, 'SIGKILL');
}
