import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Blake3Hasher } from '@napi-rs/blake-hash';
import { Landing, partialIn, placeKeepingAside, placeLanded, placeLandedMany, resumableSize, verifyLanded } from './landing.js';
import { VssError } from './errors.js';
import { tempDir } from '../../test/helpers.js';

const blake3 = (b: Buffer) => new Blake3Hasher().update(b).digest('hex');

describe('one landing for verified bytes (core/landing)', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  let n = 0;
  const folder = () => {
    const d = join(tmp.path, `d${n++}`);
    mkdirSync(d);
    return d;
  };
  const bytes = Buffer.from('the bytes of a photo, as a paired device sends them');

  it('writes a private partial, hashes it as it goes, and resumes after what a cut-off attempt left (hashing that again from the disk)', async () => {
    const d = folder();
    const p = partialIn(d, 'c0ffee');
    assert.equal(p, join(d, '.vss-partial-c0ffee'));
    const first = await Landing.open(p, { resumeOf: bytes.length, hash: true });
    assert.equal(first.offset, 0);
    await first.write([bytes.subarray(0, 10)]);
    await first.close(); // cut off: the bytes that came stay
    assert.equal(statSync(p).mode & 0o777, 0o600);
    assert.equal(resumableSize(p, bytes.length), 10);
    const again = await Landing.open(p, { resumeOf: bytes.length, hash: true });
    assert.equal(again.offset, 10);
    await again.write([bytes.subarray(10, 20), bytes.subarray(20)]);
    const landed = await again.finish();
    assert.deepEqual(landed, { path: p, size: bytes.length, blake3: blake3(bytes) });
    assert.deepEqual(readFileSync(p), bytes);
    assert.equal(await verifyLanded(landed, { size: bytes.length, blake3: blake3(bytes) }), undefined);
  });

  it('cuts a partial longer than the file it resumes, and removes bytes that are not the file expected', async () => {
    const d = folder();
    const p = partialIn(d, 'long');
    writeFileSync(p, Buffer.concat([bytes, Buffer.from('more')]));
    const land = await Landing.open(p, { resumeOf: bytes.length, hash: true });
    assert.equal(land.offset, bytes.length);
    const landed = await land.finish();
    assert.equal(landed.size, bytes.length);
    assert.match((await verifyLanded(landed, { size: bytes.length, blake3: blake3(Buffer.from('other')) }))!, /^BLAKE3 /);
    assert.equal(existsSync(p), false, 'not kept, nor resumed from');
    const short = await Landing.open(p);
    await short.write([bytes.subarray(0, 3)]);
    assert.match((await verifyLanded(await short.finish(), { size: bytes.length }))!, /3 bytes, not/);
    const checked = await Landing.open(p);
    await checked.write([bytes]);
    assert.equal(await verifyLanded(await checked.finish(), { size: bytes.length, check: async () => 'content id other' }), 'content id other');
    assert.equal(existsSync(p), false);
  });

  it('places a verified partial with the mode and time it keeps: a free name beside a taken one, refused, or replacing', async () => {
    const d = folder();
    writeFileSync(join(d, 'a.jpg'), 'theirs');
    const land = async (key: string) => {
      const l = await Landing.open(partialIn(d, key));
      await l.write([bytes]);
      return (await l.finish()).path;
    };
    const both = await Promise.all([land('1'), land('2')].map(async (p) => placeLanded(await p, { dir: d, name: 'a.jpg', conflict: 'keep-both', kept: { mode: 0o640, mtimeMs: 1_600_000_000_000 } })));
    assert.deepEqual(both.sort(), [join(d, 'a (2).jpg'), join(d, 'a (3).jpg')], 'two at once never take the same free name');
    const st = statSync(join(d, 'a (2).jpg'));
    assert.equal(st.mode & 0o777, 0o640);
    assert.equal(Math.floor(st.mtimeMs), 1_600_000_000_000);
    const p3 = await land('3');
    await assert.rejects(placeLanded(p3, { dir: d, name: 'a.jpg', conflict: 'fail' }), (e) => e instanceof VssError && e.code === 'ALREADY_EXISTS');
    assert.equal(readFileSync(join(d, 'a.jpg'), 'utf8'), 'theirs');
    assert.equal(await placeLanded(p3, { dir: d, name: 'b.jpg', conflict: 'fail' }), join(d, 'b.jpg'));
    const p4 = await land('4');
    assert.equal(await placeLanded(p4, { dir: d, name: 'a.jpg', conflict: 'replace' }), join(d, 'a.jpg'));
    assert.deepEqual(readFileSync(join(d, 'a.jpg')), bytes);
    assert.deepEqual(readdirSync(d).filter((f) => f.startsWith('.vss-')), [], 'no partial left');
  });

  it('placeLandedMany: a group flushed once and placed, each as its rule says; one taken name under `fail` is its own error, the rest land', async () => {
    const d = folder();
    writeFileSync(join(d, 'a.jpg'), 'there before');
    writeFileSync(join(d, 'c.jpg'), 'there before');
    writeFileSync(join(d, 'd.jpg'), 'there before');
    const partials = ['a', 'b', 'c', 'd'].map((k) => {
      const p = partialIn(d, k);
      writeFileSync(p, `bytes of ${k}`);
      return p;
    });
    const flushed: string[][] = [];
    const out = await placeLandedMany([
      { partial: partials[0]!, to: { dir: d, name: 'a.jpg', conflict: 'keep-both', kept: { mode: 0o640, mtimeMs: 1_000_000_000_000 } } },
      { partial: partials[1]!, to: { dir: d, name: 'b.jpg', conflict: 'fail' } },
      { partial: partials[2]!, to: { dir: d, name: 'c.jpg', conflict: 'replace' } },
      { partial: partials[3]!, to: { dir: d, name: 'd.jpg', conflict: 'fail' } },
    ], async (paths) => { flushed.push([...paths]); });
    assert.deepEqual(flushed, [partials], 'one flush for the whole group, before any rename');
    assert.deepEqual(out.slice(0, 3), [{ final: join(d, 'a (2).jpg') }, { final: join(d, 'b.jpg') }, { final: join(d, 'c.jpg') }]);
    const failed = out[3]!;
    assert.ok('error' in failed && failed.error instanceof VssError && failed.error.code === 'ALREADY_EXISTS');
    assert.equal(readFileSync(join(d, 'a.jpg'), 'utf8'), 'there before');
    assert.equal(readFileSync(join(d, 'a (2).jpg'), 'utf8'), 'bytes of a');
    assert.equal(statSync(join(d, 'a (2).jpg')).mode & 0o777, 0o640);
    assert.equal(statSync(join(d, 'a (2).jpg')).mtimeMs, 1_000_000_000_000);
    assert.equal(readFileSync(join(d, 'c.jpg'), 'utf8'), 'bytes of c');
    assert.equal(readFileSync(join(d, 'd.jpg'), 'utf8'), 'there before', 'the file there is kept');
    assert.ok(existsSync(partials[3]!), 'the partial not placed stays, to resume from');
    assert.ok(!existsSync(partials[0]!) && !existsSync(partials[1]!) && !existsSync(partials[2]!));
  });

  it('placeKeepingAside: the new bytes take the name in one rename, the old ones keep theirs under ASIDE (the same file)', async () => {
    const dir = join(tmp.path, 'aside');
    mkdirSync(dir);
    writeFileSync(join(dir, 'photo.jpg'), 'damaged');
    const was = statSync(join(dir, 'photo.jpg')).ino;
    writeFileSync(partialIn(dir, 'repair-1'), 'good bytes');
    const final = await placeKeepingAside(partialIn(dir, 'repair-1'), { dir, name: 'photo.jpg', kept: { mode: 0o640, mtimeMs: 1_700_000_000_000 } }, join(dir, '.vss-damaged-photo.jpg'));
    assert.equal(final, join(dir, 'photo.jpg'));
    assert.equal(readFileSync(final, 'utf8'), 'good bytes');
    assert.equal(statSync(final).mtimeMs, 1_700_000_000_000);
    assert.equal(statSync(final).mode & 0o777, 0o640);
    assert.equal(readFileSync(join(dir, '.vss-damaged-photo.jpg'), 'utf8'), 'damaged');
    assert.equal(statSync(join(dir, '.vss-damaged-photo.jpg')).ino, was);
    assert.deepEqual(readdirSync(dir).sort(), ['.vss-damaged-photo.jpg', 'photo.jpg']);
  });
});
