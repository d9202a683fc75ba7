import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { VssError } from '../../core/errors.js';
import Database from 'better-sqlite3';
import { PACKED_ROW_SQL } from '../../store/availability.js';
import { DIGEST_LIMITS, decodeChunk, encodeChunk, encodePacked, encodeRows, type AvailabilityEntry, type DigestHeader, type EntryRow } from './codec.js';

const HEADER: DigestHeader = {
  libraryId: '11111111-2222-4333-8444-555555555555',
  deviceUuid: '66666666-7777-4888-9999-aaaaaaaaaaaa',
  epoch: 'bbbbbbbb-cccc-4ddd-aeee-ffffffffffff',
  fromSeq: 300,
  toSeq: 70_000,
  full: false,
};
const C = (i: number) => `${i.toString(16).padStart(8, '0')}-0000-5000-8000-000000000000`;

function entries(n: number): AvailabilityEntry[] {
  return Array.from({ length: n }, (_, i): AvailabilityEntry => i % 5 === 4
    ? { contentUuid: C(i), kind: 'ocr', variant: 'default', format: 'json', has: false, size: null, checksum: null }
    : { contentUuid: C(i), kind: i % 2 ? 'thumb' : 'embeddings', variant: i % 2 ? 'grid@2x' : 'all-minilm-l6-v2', format: i % 2 ? 'webp' : 'json', has: true, size: i * 10_003, checksum: (i % 16).toString(16).repeat(64) });
}

function refused(bytes: Uint8Array, reason: RegExp): void {
  assert.throws(() => decodeChunk(bytes), (err: unknown) => err instanceof VssError && err.code === 'PEER' && reason.test(err.message));
}

describe('availability digest codec', () => {
  it('round-trips a chunk compactly: header, entries, removals', () => {
    const list = entries(1000);
    const bytes = encodeChunk(HEADER, list);
    const got = decodeChunk(bytes);
    const parts = { entries: undefined, forEachEntry: undefined, triples: undefined, forEachKeyed: undefined };
    assert.deepEqual({ ...got, ...parts }, { ...HEADER, count: 1000, skipped: 0, byteLength: bytes.byteLength, ...parts });
    assert.deepEqual([...got.entries()], list);
    const visited: AvailabilityEntry[] = [];
    got.forEachEntry((contentUuid, kind, variant, format, has, size, checksum) => visited.push({ contentUuid, kind, variant, format, has, size, checksum }));
    assert.deepEqual(visited, list);
    // The same entries as their bytes: what the store keeps of a peer's full digest.
    const keyed: AvailabilityEntry[] = [];
    got.forEachKeyed((content, t, has, size, checksum) => {
      const { kind, variant, format } = got.triples[t]!;
      const hex = content.toString('hex');
      const contentUuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
      keyed.push({ contentUuid, kind, variant, format, has, size: has ? size : null, checksum: checksum?.toString('hex') ?? null });
    });
    assert.deepEqual(keyed, list);
    assert.ok(bytes.byteLength < 1000 * 56, `${bytes.byteLength} bytes: about 55 per entry, not JSON`);
    const empty = decodeChunk(encodeChunk({ ...HEADER, full: true, fromSeq: 0 }, []));
    assert.equal(empty.full, true);
    assert.deepEqual([...empty.entries()], []);
  });

  it('refuses every cut of a chunk', () => {
    const bytes = encodeChunk(HEADER, entries(7));
    for (let n = 0; n < bytes.byteLength; n++) refused(bytes.subarray(0, n), /ends|bytes for them| in \d+ bytes/);
  });

  it('refuses garbled chunks with a reason, never another kind of error', () => {
    const bytes = encodeChunk(HEADER, entries(20));
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let refusedCount = 0;
    for (let round = 0; round < 2000; round++) {
      const copy = Uint8Array.from(bytes);
      for (let k = 0; k < 1 + Math.floor(rand() * 3); k++) copy[Math.floor(rand() * copy.length)] = Math.floor(rand() * 256);
      try {
        const c = decodeChunk(copy);
        for (const e of c.entries()) assert.ok(e.has ? e.checksum!.length === 64 : e.checksum === null);
      } catch (err) {
        assert.ok(err instanceof VssError && err.code === 'PEER', String(err));
        refusedCount++;
      }
    }
    assert.ok(refusedCount > 0);
  });

  it('checks names against the kinds table, counts against the bytes and limits, and leftovers', () => {
    const one = [entries(1)[0]!];
    const swap = (from: string, to: string) => {
      const b = Buffer.from(encodeChunk(HEADER, one));
      const at = b.indexOf(from);
      b.write(to, at);
      return b;
    };
    // A kind, format or variant this device cannot name is a newer peer's: its entries are skipped, not the chunk.
    for (const [from, to] of [['embeddings', 'embeddingz'], ['json', 'xson'], ['all-minilm-l6-v2', 'all-minilm-l6/v2']] as const) {
      const got = decodeChunk(swap(from, to));
      assert.deepEqual({ count: got.count, skipped: got.skipped, entries: [...got.entries()] }, { count: 1, skipped: 1, entries: [] }, to);
    }
    const mixed = decodeChunk(encodeChunk(HEADER, [...entries(3), { ...one[0]!, kind: 'depthmap', variant: 'default', format: 'exr' } as unknown as AvailabilityEntry]));
    assert.deepEqual({ count: mixed.count, skipped: mixed.skipped, entries: [...mixed.entries()] }, { count: 4, skipped: 1, entries: entries(3) });
    const bytes = encodeChunk(HEADER, one);
    refused(Buffer.concat([bytes, Buffer.from([0])]), /after its last entry/);
    refused(Buffer.from([2, ...bytes.subarray(1)]), /version 2/);
    // The entry count sits right before the first entry: claim more than the bytes can hold, then more than the limit.
    const countAt = bytes.byteLength - (16 + 1 + 1 + 1 + 32) - 1;
    assert.equal(bytes[countAt], 1);
    const lying = Buffer.from(bytes);
    lying[countAt] = 2;
    refused(lying, /says 2 entries|ends inside/);
    const huge = Buffer.concat([bytes.subarray(0, countAt), Buffer.from([0x81, 0x80, 0x04]), bytes.subarray(countAt + 1)]);
    refused(huge, new RegExp(`more than ${DIGEST_LIMITS.chunkEntries}`));
    // A size above the kind's bound (embeddings: 1 GiB) is a lie, refused at the decoder: the store takes decoded entries as they are.
    refused(encodeChunk(HEADER, [{ ...one[0]!, size: 1024 ** 3 + 1 }]), /more than any embeddings may be/);
    assert.equal(decodeChunk(encodeChunk(HEADER, [{ ...one[0]!, size: 1024 ** 3 }])).count, 1);
    const hasTwo = Buffer.from(bytes);
    hasTwo[countAt + 1 + 16 + 1] = 2;
    refused(hasTwo, /"has" of 2/);
    const backwards = encodeChunk({ ...HEADER, fromSeq: 5, toSeq: 5 }, one);
    const b2 = Buffer.from(backwards);
    b2[1 + 48] = 6; // from-seq 6 > to-seq 5
    refused(b2, /back to 5/);
  });

  it('encodes the same bytes from entries, table rows and rows packed by SQLite, a NULL format as the kind\'s usual one', () => {
    const list = entries(500);
    // crafted on purpose: scratch tables of the availability columns (keys as stored, names
    // apart), with rows no store writes (no format, a removal's checksum left behind), to run
    // PACKED_ROW_SQL over them by itself.
    const db = new Database(':memory:');
    try {
      db.exec(`CREATE TABLE a (content BLOB NOT NULL, name INTEGER NOT NULL, format TEXT, has INTEGER NOT NULL, size INTEGER, checksum BLOB, seq INTEGER);
        CREATE TABLE n (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, variant TEXT NOT NULL, UNIQUE (kind, variant));`);
      const insert = db.prepare("INSERT INTO a VALUES (unhex(replace(?, '-', '')), (SELECT id FROM n WHERE kind = ? AND variant = ?), ?, ?, ?, unhex(?), ?)");
      const name = db.prepare('INSERT OR IGNORE INTO n (kind, variant) VALUES (?, ?)');
      // Rows made before formats were kept have none: every thumb row here, and a removal's checksum left behind.
      list.forEach((e, i) => {
        name.run(e.kind, e.variant);
        insert.run(e.contentUuid, e.kind, e.variant, e.kind === 'thumb' ? null : e.format, e.has ? 1 : 0, e.size, e.has ? e.checksum : 'f'.repeat(64), i);
      });
      const want = encodeChunk(HEADER, list);
      const rows = list.map((e): EntryRow => [e.contentUuid, e.kind, e.variant, e.kind === 'thumb' ? null : e.format, e.has ? 1 : 0, e.size, e.checksum]);
      assert.deepEqual(Buffer.from(encodeRows(HEADER, rows)), Buffer.from(want));
      const [text, count] = db.prepare(`SELECT group_concat(p, '' ORDER BY seq), count(*) FROM (SELECT ${PACKED_ROW_SQL} AS p, a.seq FROM a JOIN n ON n.id = a.name)`).raw().get() as [string, number];
      assert.deepEqual(Buffer.from(encodePacked(HEADER, text, count)), Buffer.from(want));
      assert.deepEqual([...decodeChunk(encodePacked(HEADER, '', 0)).entries()], []);
      // Text that is not what PACKED_ROW_SQL makes is refused, never half encoded.
      const usage = (t: string, n: number, reason: RegExp) =>
        assert.throws(() => encodePacked(HEADER, t, n), (err: unknown) => err instanceof VssError && err.code === 'USAGE' && reason.test(err.message));
      usage(text, count - 1, /characters after the last row/);
      usage(text, count + 1, /cut short/);
      usage(text.slice(0, -3), count, /names do not fit|cut short/);
      usage('x' + text.slice(1), count, /is not hex/);
      usage(text.slice(0, 32) + '2' + text.slice(33), count, /has is not 0 or 1/);
      usage(text.slice(0, 33) + 'g' + text.slice(34), count, /size is not a number/);
      const sumAt = 32 + 1 + 16 + 2;
      usage(text.slice(0, sumAt) + 'G' + text.slice(sumAt + 1), count, /no valid checksum/);
    } finally {
      db.close();
    }
  });
});

