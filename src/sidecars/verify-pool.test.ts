import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import { tempDir } from '../../test/helpers.js';
import { Verifier, type Verdict } from './verify-pool.js';

const MiB = 1024 * 1024;

/**
 * Sizes around every boundary of the checksummer (one synchronous read up to 1 MiB, 4 MiB
 * chunks above) and of the pool's batches (32 files or 16 MiB), up to converted-movie size.
 */
const SIZES = [0, 1, 4095, MiB - 1, MiB, MiB + 1, 4 * MiB - 1, 4 * MiB, 4 * MiB + 1, 9 * MiB + 7, 17 * MiB, 28 * MiB + 3, 29 * MiB, 31 * MiB - 5];

interface Case {
  path: string;
  size: number;
  checksum: string;
  expected: Verdict;
}

async function verdicts(v: Verifier, cases: readonly Case[]): Promise<Verdict[]> {
  const out: Verdict[] = new Array(cases.length);
  try {
    for (const [i, c] of cases.entries()) await v.submit({ path: c.path, size: c.size }, c.checksum, (verdict) => { out[i] = verdict; });
    await v.drain();
  } finally {
    await v.close();
  }
  return out;
}

describe('verify: worker threads and inline agree on every file', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  const cases: Case[] = [];
  // Every size twice intact, and once with one flipped byte (size kept, so it must be read to be caught).
  for (const size of [...SIZES, ...SIZES]) {
    const data = randomBytes(size);
    const path = join(tmp.path, `f${cases.length}`);
    writeFileSync(path, data);
    cases.push({ path, size, checksum: blake3(data).toString('hex'), expected: 'ok' });
  }
  for (const size of SIZES.filter((s) => s > 0)) {
    const data = randomBytes(size);
    const checksum = blake3(data).toString('hex');
    const at = Math.floor(size / 2);
    data[at] = data[at]! ^ 0x01;
    const path = join(tmp.path, `f${cases.length}`);
    writeFileSync(path, data);
    cases.push({ path, size, checksum, expected: 'corrupt' });
  }
  const expected = cases.map((c) => c.expected);

  it('inline judges each file by its bytes', async () => {
    assert.deepEqual(await verdicts(new Verifier(0, () => assert.fail('no problem expected'), 0), cases), expected);
  });

  for (const threads of [1, 2, 4]) {
    it(`${threads} worker thread(s) give the inline verdicts, never "corrupt" for an intact file`, async () => {
      const v = new Verifier(0, () => assert.fail('no problem expected'), threads);
      assert.equal(v.threaded, true);
      assert.deepEqual(await verdicts(v, cases), expected);
    });
  }
});
