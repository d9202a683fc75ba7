import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, linkSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFileExclusive, place, placeMany, placeSync, replaceFileKeeping, tempPathFor, TEMP_PREFIX, writeFileAtomic, writeFileAtomicSync } from './fs-atomic.js';
import { tempDir } from '../../test/helpers.js';

const temps = (dir: string) => readdirSync(dir).filter((n) => n.startsWith(TEMP_PREFIX));

describe('durable writes (core/fs-atomic)', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  let n = 0;
  const folder = () => {
    const d = join(tmp.path, `d${n++}`);
    mkdirSync(d);
    return d;
  };

  it('writes bytes in place of the old ones, sync and async, leaving no temp file', async () => {
    const d = folder();
    const f = join(d, 'settings.json');
    writeFileAtomicSync(f, 'one');
    writeFileAtomicSync(f, Buffer.from('two'));
    assert.equal(readFileSync(f, 'utf8'), 'two');
    await writeFileAtomic(f, 'three');
    assert.equal(readFileSync(f, 'utf8'), 'three');
    assert.deepEqual(temps(d), []);
  });

  it('places a written temp file, and moves a file across folders, sync and async', async () => {
    const d = folder();
    const final = join(d, 'grid@1x.webp');
    const t = tempPathFor(final);
    writeFileSync(t, 'thumb');
    placeSync(t, final);
    assert.equal(readFileSync(final, 'utf8'), 'thumb');
    const t2 = tempPathFor(final);
    writeFileSync(t2, 'thumb 2');
    await place(t2, final);
    assert.equal(readFileSync(final, 'utf8'), 'thumb 2');
    const other = folder();
    const moved = join(other, 'IMG_1.MOV');
    writeFileSync(moved, 'movie');
    await place(moved, join(d, 'original.mov'), { synced: true });
    assert.deepEqual(readdirSync(other), []);
    assert.equal(readFileSync(join(d, 'original.mov'), 'utf8'), 'movie');
  });

  it('a failed single placement leaves the file where it was (it may be the user\'s)', () => {
    const d = folder();
    const own = join(d, 'IMG_1.MOV');
    writeFileSync(own, 'movie');
    assert.throws(() => placeSync(own, join(d, 'no-such-folder', 'original.mov')), /ENOENT/);
    assert.equal(readFileSync(own, 'utf8'), 'movie');
  });

  it('places many at once: one answer per file, a refused or failed one leaves no temp file', async () => {
    const a = folder();
    const b = folder();
    const items = [
      { temp: tempPathFor(join(a, 'x')), final: join(a, 'x'), name: 'x' },
      { temp: tempPathFor(join(a, 'y')), final: join(a, 'y'), name: 'y' },
      { temp: tempPathFor(join(b, 'z')), final: join(b, 'z'), name: 'z' },
      { temp: join(b, `${TEMP_PREFIX}gone`), final: join(b, 'gone'), name: 'gone' },
    ];
    for (const it of items.slice(0, 3)) writeFileSync(it.temp, it.name);
    const seen: string[] = [];
    const out = await placeMany(items, (it) => {
      seen.push(it.name);
      if (it.name === 'y') throw new Error('already ready here');
    });
    assert.deepEqual(seen, ['x', 'y', 'z', 'gone']);
    assert.deepEqual(out.map((o) => o.ok), [true, false, true, false]);
    assert.match((out[1] as { error: Error }).error.message, /already ready/);
    assert.match((out[3] as { error: Error }).error.message, /ENOENT/);
    assert.deepEqual(readdirSync(a).sort(), ['x']);
    assert.deepEqual(readdirSync(b).sort(), ['z']);
    assert.deepEqual(await placeMany([]), []);
  });

  it('a kill at atomic:before-rename leaves the whole temp file and nothing at the final name', () => {
    const d = folder();
    const script = `
      const { writeFileAtomicSync } = await import(${JSON.stringify(new URL('./fs-atomic.js', import.meta.url).href)});
      writeFileAtomicSync(${JSON.stringify(join(d, 'f'))}, 'whole');
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, VSS_CRASH_AT: 'atomic:before-rename' } });
    assert.equal(r.signal, 'SIGKILL');
    assert.deepEqual(readdirSync(d).length, 1);
    assert.equal(readFileSync(join(d, temps(d)[0]!), 'utf8'), 'whole');
  });
});

describe('replacing and creating another program\'s file (core/fs-atomic)', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('replaceFileKeeping: mode kept exactly, hard links kept, nothing written when the file changed, no temp left', () => {
    const file = join(tmp.path, 'a.xmp');
    writeFileSync(file, 'old');
    chmodSync(file, 0o640);
    assert.equal(replaceFileKeeping(file, 'new', statSync(file), () => true), true);
    assert.deepEqual([readFileSync(file, 'utf8'), statSync(file).mode & 0o7777], ['new', 0o640]);

    linkSync(file, join(tmp.path, 'b.xmp'));
    const ino = statSync(file).ino;
    assert.equal(replaceFileKeeping(file, 'newer, and longer', statSync(file), () => true), true);
    assert.equal(statSync(file).ino, ino, 'written in place');
    assert.equal(readFileSync(join(tmp.path, 'b.xmp'), 'utf8'), 'newer, and longer');
    assert.equal(replaceFileKeeping(file, 'short', statSync(file), () => true), true);
    assert.equal(readFileSync(join(tmp.path, 'b.xmp'), 'utf8'), 'short', 'truncated to the new length');

    assert.equal(replaceFileKeeping(file, 'lost?', statSync(file), () => false), false);
    assert.equal(readFileSync(file, 'utf8'), 'short');
    assert.deepEqual(temps(tmp.path), []);
  });

  it('createFileExclusive: never over a file that is there', () => {
    const file = join(tmp.path, 'c.xmp');
    assert.equal(createFileExclusive(file, 'first'), true);
    assert.equal(createFileExclusive(file, 'second'), false);
    assert.equal(readFileSync(file, 'utf8'), 'first');
    assert.deepEqual(temps(tmp.path), []);
  });
});
