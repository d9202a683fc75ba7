import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GeneratorError } from '../generators/types.js';
import { isDiskFull, isTransient } from './transient.js';

const sysError = (code: string) => Object.assign(new Error(`${code}: something`), { code });

describe('isTransient', () => {
  it('believes a generator that calls its failure passing, or permanent for a reason of the input', () => {
    assert.equal(isTransient(new GeneratorError('busy', { permanent: false })), true);
    assert.equal(isTransient(new GeneratorError('not a JPEG', { permanent: true })), false);
  });

  it('looks under a wrapper\'s permanent default for the machine\'s errors', () => {
    // As the HEIC, proxy, PDF and transcript wrappers do: any error they catch becomes a permanent GeneratorError.
    for (const code of ['EMFILE', 'EIO', 'EAGAIN', 'ENFILE']) {
      assert.equal(isTransient(new GeneratorError(`decoding failed: ${code}`, { permanent: true, cause: sysError(code) })), true, code);
    }
    assert.equal(isTransient(new GeneratorError('decoding failed', { permanent: true, cause: new Error('bad huffman table') })), false);
    assert.equal(isTransient(new GeneratorError('gone', { permanent: true, cause: sysError('ENOENT') })), false);
  });

  it('knows a full disk on the error or under it', () => {
    assert.equal(isDiskFull(new GeneratorError('write failed', { permanent: true, cause: sysError('ENOSPC') })), true);
    assert.equal(isDiskFull(new Error('ffmpeg failed (1): No space left on device')), true);
    assert.equal(isDiskFull(sysError('EIO')), false);
  });
});
