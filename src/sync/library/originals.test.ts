import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import { CAS_WHOLE } from '../../content/identity.js';
import { ConfinedRoot } from '../../library/confine.js';
import { storageAt } from '../../storage/storages.js';
import { copyToPartial, partialName, resumableBytes } from './originals.js';
import { tempDir } from '../../../test/helpers.js';

describe('a local copy of an original, through the storages', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  const loc = join(tmp.path, 'loc');
  const to = join(tmp.path, 'to');
  mkdirSync(join(loc, 'a'), { recursive: true });
  mkdirSync(to);
  const bytes = randomBytes(300_000);
  writeFileSync(join(loc, 'a', 'f.bin'), bytes);
  const from = storageAt(new ConfinedRoot(loc, 'the location'));
  const into = storageAt(new ConfinedRoot(to, 'the folder copied into'));
  const want = { casId: blake3(bytes).toString('hex'), casVersion: CAS_WHOLE };

  it('lands the bytes in the partial named for the content, checked against its id', async () => {
    const got = await copyToPartial(from, 'a/f.bin', into, 'uuid-1', want);
    assert.equal(got.wrong, undefined);
    assert.equal(got.path, join(to, partialName('uuid-1')));
    assert.deepEqual(readFileSync(got.path), bytes);
    assert.equal(await resumableBytes(into, 'uuid-1', 1_000), 1_000, 'what a resume would ask from, at most the size');
    assert.equal(await resumableBytes(into, 'uuid-2', 1_000), 0);
  });

  it('keeps nothing of bytes that are not the content', async () => {
    const got = await copyToPartial(from, 'a/f.bin', into, 'uuid-3', { ...want, casId: '00'.repeat(32) });
    // A whole-file content id is the BLAKE3 the landing took as it wrote: the wrong bytes are named by it.
    assert.match(got.wrong ?? '', /BLAKE3 .*, not 0000/);
    assert.equal(existsSync(join(to, partialName('uuid-3'))), false);
  });

  it('never reads a copy through a symlink', async () => {
    symlinkSync(join(loc, 'a', 'f.bin'), join(loc, 'link.bin'));
    await assert.rejects(copyToPartial(from, 'link.bin', into, 'uuid-4', want), { code: 'PATH_REFUSED' });
    assert.equal(existsSync(join(to, partialName('uuid-4'))), false, 'nothing landed');
  });
});
