/**
 * Preloaded (`node --import`) into a process the CLI bench measures: at exit, the CPU the whole
 * process used (user + system, every thread, from its start) appended to VSS_CPU_REPORT as one line.
 */
import { appendFileSync } from 'node:fs';

const out = process.env.VSS_CPU_REPORT;
if (out) {
  process.on('exit', () => {
    const { user, system } = process.cpuUsage();
    appendFileSync(out, `${(user + system) / 1000}\n`);
  });
}
