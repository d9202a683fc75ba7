import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, readSync, closeSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FileTypeParser } from 'file-type';
import fc from 'fast-check';
import { fasterParser, signatureBytes } from './file-type-checks.js';
import { FIXTURES, HAVE_FIXTURES } from '../../test/helpers.js';
import { minimalPdf } from '../cli/demo/sample-set.js';

/** file-type's own stringToBytes (util.js, not among its exports: imported by its path). */
const util = (await import(new URL('./util.js', import.meta.resolve('file-type/core')).href)) as { stringToBytes: (s: string, e?: string) => number[] };

const Faster = fasterParser(FileTypeParser);
const stock = new FileTypeParser();
const faster = new Faster();
const answer = async (p: FileTypeParser, head: Uint8Array) => JSON.stringify(await p.fromBuffer(head));

/** The first 4,100 bytes of every file under DIR (file-type reads no further into a head). */
function heads(dir: string): Array<{ name: string; head: Buffer }> {
  const out: Array<{ name: string; head: Buffer }> = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) { out.push(...heads(path)); continue; }
    const head = Buffer.alloc(4100);
    const fd = openSync(path, 'r');
    try {
      out.push({ name: path, head: head.subarray(0, readSync(fd, head, 0, head.length, 0)) });
    } finally {
      closeSync(fd);
    }
  }
  return out;
}

describe('file-type with comparisons that do not allocate (issue 57)', () => {
  it('is sped up on this file-type (its parser has the two comparisons)', () => {
    assert.notEqual(Faster, FileTypeParser);
  });

  it('turns a signature into the bytes file-type does, in every encoding', () => {
    for (const text of ['ftyp', 'WEBP', '<?xml ', 'Ā\u00ff€😀', '']) {
      for (const enc of [undefined, 'utf-16le', 'utf-16be']) assert.deepEqual(signatureBytes(text, enc), util.stringToBytes(text, enc), `${text} ${enc}`);
    }
  });

  it('answers as the stock parser on every fixture', { skip: HAVE_FIXTURES ? false : 'no ../shared/fixtures' }, async () => {
    const all = heads(FIXTURES);
    assert.ok(all.length > 20);
    for (const { name, head } of all) assert.equal(await answer(faster, head), await answer(stock, head), name);
  });

  it('answers as the stock parser on random heads, and on heads with a signature planted in them', async () => {
    // A PDF and heads a signature settles: the signatures compared on the way are collected by signatureBytes.
    for (const head of [minimalPdf('x'), Buffer.from('GIF89a'), Buffer.from('RIFF\0\0\0\0WEBPVP8 '), Buffer.from('\0\0\0\x18ftypheic'), Buffer.from('II*\0\x08\0\0\0')]) {
      assert.equal(await answer(faster, head), await answer(stock, head));
    }
    const planted = [...['ftyp', 'WEBP', 'RIFF', 'OggS', '%PDF', 'GIF8', 'ID3', '<?xml', 'ustar', 'MThd', 'wOFF', 'BEGIN:', 'PK'].map((s) => [...Buffer.from(s, 'latin1')])];
    await fc.assert(fc.asyncProperty(
      fc.uint8Array({ minLength: 0, maxLength: 600 }),
      fc.nat({ max: planted.length - 1 }), fc.nat({ max: 300 }), fc.nat({ max: 0xff }),
      async (bytes, which, at, first) => {
        const head = Buffer.from(bytes);
        if (head.length > 0) head[0] = first;
        const sig = planted[which]!;
        if (at + sig.length <= head.length) for (let i = 0; i < sig.length; i++) head[at + i] = sig[i]!;
        assert.equal(await answer(faster, head), await answer(stock, head));
      },
    ), { numRuns: 3000 });
  });
});
