import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/** FN run, and with TO a CPU profile of it written there (for Chrome's or speedscope's viewer); its wall and CPU ms. */
export async function profiled(to: string | undefined, fn: () => Promise<unknown>): Promise<{ wallMs: number; cpuMs: number }> {
  const session = to ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  await fn();
  const cpu = process.cpuUsage(cpu0);
  const wallMs = Date.now() - t0;
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(to!, JSON.stringify(profile));
    session.disconnect();
  }
  return { wallMs, cpuMs: Math.round((cpu.user + cpu.system) / 1000) };
}
