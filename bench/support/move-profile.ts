/**
 * `node dist/bench/support/move-profile.js [N]`: a folder of N (10,000) small files moved within
 * its location and back by `vss files move` in this process (no daemon), each phase's time, and
 * with PROFILE_TO=FILE a CPU profile of the move back (the first pays for loading modules).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Vss } from '../../src/index.js';
import { freshDir, rmrf } from '../util.js';
import { profiled } from './profiled.js';

const n = Number(process.argv[2] ?? 10_000);
const work = freshDir('/dev/shm', 'vss-move-profile-');
try {
  const loc = join(work, 'loc');
  const src = join(loc, 'small');
  for (let i = 0; i < n; i++) {
    const dir = join(src, `d${i % 100}`);
    if (i < 100) mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `f${i}.bin`), Buffer.alloc(1024, i % 251));
  }
  const vss = new Vss({ dataDir: join(work, 'data') });
  const libPath = vss.libraries.create('P', { dir: join(work, 'libs') }).path;
  await vss.withLibrary({ path: libPath }, async (lib) => {
    await lib.locations.add(loc, { mode: 'content' });
    for (const [from, to] of [[src, join(loc, 'moved')], [join(loc, 'moved'), src]] as const) {
      const t = await profiled(from !== src ? process.env.PROFILE_TO : undefined, () => lib.files.move([from], to));
      console.log(`${n} files moved: ${t.wallMs} ms wall, ${t.cpuMs} ms CPU`);
    }
  });
} finally {
  rmrf(work);
}
