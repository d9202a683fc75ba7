/** What makes queued jobs happen: a running daemon works them already; without one, `jobs run` does. */
export function nextStep(viaDaemon: boolean): string {
  return viaDaemon ? 'the daemon makes them now (vss jobs monitor shows it)' : 'run vss jobs run --until-idle';
}
