/**
 * `node --cpu-prof dist/bench/support/copy-profile.js [N]`: N (2,000) small files copied into a
 * location by `vss files copy` in this process (no daemon), for a CPU profile of the copy path.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { join } from 'node:path';
import { Vss } from '../../src/index.js';
import { freshDir, rmrf } from '../util.js';
import { profiled } from './profiled.js';

const n = Number(process.argv[2] ?? 2000);
const work = freshDir('/dev/shm', 'vss-copy-profile-');
try {
  const src = join(work, 'src', 'small');
  for (let i = 0; i < n; i++) {
    const dir = join(src, `d${i % 100}`);
    if (i < 100) mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `f${i}.bin`), randomFillSync(Buffer.alloc(1024 + (i % 60) * 1024)));
  }
  const dst = join(work, 'dst');
  mkdirSync(dst);
  const vss = new Vss({ dataDir: join(work, 'data') });
  const libPath = vss.libraries.create('P', { dir: join(work, 'libs') }).path;
  await vss.withLibrary({ path: libPath }, async (lib) => {
    await lib.locations.add(join(work, 'src'), { mode: 'content' });
    await lib.locations.add(dst, { mode: 'content' });
    for (const [what, to] of [['outside the locations', join(work, 'plain')], ['into a location', join(dst, 'copy')]] as const) {
      // The search index caught up first (it follows what the sources' index queued): its work is not the copy's.
      for (let i = 0; i < 100 && (await lib.search.answer('settle', { wait: 60_000 })).pending > 0; i++);
      const t = await profiled(what === 'into a location' ? process.env.PROFILE_TO : undefined, () => lib.files.copy([src], to));
      console.log(`${n} files ${what}: ${t.wallMs} ms wall, ${t.cpuMs} ms CPU`);
    }
    const t1 = Date.now();
    execFileSync('cp', ['-a', src, join(work, 'cpa')]);
    console.log(`cp -a: ${Date.now() - t1} ms wall`);
  });
} finally {
  rmrf(work);
}
