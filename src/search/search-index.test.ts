import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Installation as Vss } from '../library/installation.js';
import type { Library } from '../library/library.js';
import { renameSync } from 'node:fs';
import { addLocation, scanLocation } from '../locations/locations.js';
import { SidecarManager } from '../sidecars/manager.js';
import { tempDir } from '../../test/helpers.js';
import { followSidecars, hasPending, indexPending, indexSlice, reindex, type SearchFollower } from './search-index.js';
import { ftsQuery, searchLibrary, MAX_QUERY_CHARS, MAX_QUERY_TERMS } from './search-query.js';
import { locatorsOf } from './locator.js';
import { MIN_OCR_LINE_CONFIDENCE } from './ocr-text.js';
import { sidecarFile } from '../sidecars/sidecar-file.js';
import Database from 'better-sqlite3';
import { Stores } from '../store/stores.js';
import type { ContentKind } from '../content/kinds.js';
import { contentUuidAt } from '../../test/support/entries.js';

describe('ftsQuery', () => {
  it('quotes each word, keeps phrases and prefixes, and cannot make a syntax error', () => {
    assert.equal(ftsQuery('quick fox'), '"quick" AND "fox"');
    assert.equal(ftsQuery('"quick brown" fo*'), '"quick brown" AND "fo"*');
    assert.equal(ftsQuery('a"b'), '"a" AND "b"');
    assert.equal(ftsQuery('the the THE the fox'), '"the" AND "fox"', 'a word said again, in any case, is looked for once');
    assert.equal(ftsQuery('NOT OR AND ( ) col:x'), '"NOT" AND "OR" AND "AND" AND "col x"');
    assert.equal(ftsQuery('"unclosed phrase'), '"unclosed phrase"');
    assert.throws(() => ftsQuery('  " * ( '), { code: 'USAGE' });
  });
});

describe('search index (real library, real files)', () => {
  const tmp = tempDir('vss-search-');
  const tree = join(tmp.path, 'tree');
  let lib: Library;
  let follower: SearchFollower | undefined;
  /** What the follower does in the daemon: index everything queued, in slices. */
  const settle = async () => { await follower!.catchUp(Date.now() + 10_000); assert.equal(hasPending(lib), false); };
  let loc = 0;
  const uuidOf = (name: string) => contentUuidAt(lib, name)!;

  before(async () => {
    mkdirSync(tree, { recursive: true });
    writeFileSync(join(tree, 'Crème brûlée recipe.txt'), 'one');
    writeFileSync(join(tree, 'Another name.txt'), 'one'); // a second copy of the same content
    writeFileSync(join(tree, 'receipt-scan.png'), 'two: not really an image');
    writeFileSync(join(tree, 'holiday notes.txt'), 'three');
    writeFileSync(join(tree, '東京都の天気予報.txt'), 'four');
    lib = new Vss({ dataDir: join(tmp.path, 'data') }).createLibrary('S', tmp.path);
    loc = addLocation(lib, tree, { mode: 'content' }).id;
    await scanLocation(lib, loc);
    assert.equal(await indexPending(lib), 4, 'the scan queued its 4 contents');
    follower = followSidecars(lib);
  });
  after(() => { follower?.stop(); lib.close(); tmp.cleanup(); });

  it('finds a file by its name, accents or not, with the match marked', () => {
    for (const q of ['creme', 'Crème', 'BRULEE', 'brû*']) {
      const r = searchLibrary(lib, q);
      assert.equal(r.length, 1, q);
      assert.equal(r[0]!.source, 'name');
      assert.match(r[0]!.snippet, /\[/);
      assert.ok(r[0]!.paths[0]!.endsWith('Crème brûlée recipe.txt'), 'the copy whose name matched comes first');
      assert.equal(r[0]!.paths.length, 2);
    }
    const other = searchLibrary(lib, 'another');
    assert.ok(other[0]!.paths[0]!.endsWith('Another name.txt'));
    assert.deepEqual(searchLibrary(lib, 'nowhere'), []);
    assert.deepEqual(searchLibrary(lib, 'recipe', { kind: 'image' }), []);
  });

  it('finds Chinese and Japanese inside a run of text without spaces, by 2 characters or more', () => {
    for (const q of ['天気', '天気予報', '"東京都"', '東京 予報', '天気 txt']) {
      const r = searchLibrary(lib, q);
      assert.equal(r.length, 1, q);
      assert.ok(r[0]!.paths[0]!.endsWith('東京都の天気予報.txt'), q);
      assert.match(r[0]!.snippet, /\[.+\]/u, q);
    }
    assert.equal(searchLibrary(lib, '天気').at(0)?.snippet, '東京都の[天気]予報.txt');
    assert.deepEqual(searchLibrary(lib, '大阪'), []);
    assert.deepEqual(searchLibrary(lib, '天気 holiday'), []);
    assert.deepEqual(searchLibrary(lib, '天気', { kind: 'image' }), []);
  });

  it('marks only the matches: brackets and control characters in the text stay text', async () => {
    const uuid = uuidOf('holiday notes.txt');
    const manager = new SidecarManager(lib);
    // eurotext.tif reads "The (quick) [brown] {fox}"; a hostile text layer could carry the marker bytes.
    const ocr = { text: '', pages: [{ page: 1, source: 'ocr', text: 'The (quick) [brown] {fox} jumps \u0002over\u0003 walrus' }] };
    // Still queued from its scan when its OCR is recorded (an UPSERT): the trigger must not trip on the queue's key.
    lib.store.search.queue([uuid]);
    assert.ok(lib.store.search.takePending(1000).includes(uuid));
    manager.writeGenerated({ contentUuid: uuid, kind: 'ocr', variant: 'default', format: 'json' }, Buffer.from('{"text":"","pages":[]}'), 'test');
    manager.writeGenerated({ contentUuid: uuid, kind: 'ocr', variant: 'default', format: 'json' }, Buffer.from(JSON.stringify(ocr)), 'test');
    await settle();
    const [hit] = searchLibrary(lib, 'walrus');
    assert.ok(hit);
    assert.equal(hit.snippet, 'The (quick) [brown] {fox} jumps  over  [walrus]');
    assert.deepEqual(hit.marks.map(([a, b]) => hit.snippet.slice(a, b)), ['walrus']);
    assert.deepEqual(hit.marks.map(([a, b]) => [hit.snippet[a - 1], hit.snippet[b]]), [['[', ']']]);
    manager.markMissing({ contentUuid: uuid, kind: 'ocr', variant: 'default', format: 'json' }, 'test: done');
    await settle();
  });

  it('indexes the OCR lines read confidently enough, with letters; keeps every line in the sidecar and finds the box among the kept ones', async () => {
    const uuid = uuidOf('receipt-scan.png');
    const manager = new SidecarManager(lib);
    const line = (text: string, confidence: number, y: number) => ({ text, confidence, bbox: [0, y, 100, y + 10] });
    const blocks = [
      line('quokka noise', MIN_OCR_LINE_CONFIDENCE - 0.01, 0), // just under: out
      line('quokka sighted', MIN_OCR_LINE_CONFIDENCE, 20), // at the threshold: in
      line('7', 0.99, 40), // confident, one digit: out
      line('numbat 42', 0.95, 60),
    ];
    const pages = [
      { page: 1, source: 'ocr', unit: 'px', text: blocks.map((b) => b.text).join('\n'), blocks },
      // A text layer is exact: every line is searched, whatever a line says.
      { page: 2, source: 'text-layer', unit: 'pt', text: 'wombat burrow', blocks: [{ text: 'wombat burrow', confidence: 0.1, bbox: [1, 2, 3, 4] }] },
    ];
    const json = JSON.stringify({ text: '', pages });
    manager.writeGenerated({ contentUuid: uuid, kind: 'ocr', variant: 'default', format: 'json' }, Buffer.from(json), 'test');
    await settle();
    assert.deepEqual(searchLibrary(lib, 'noise'), [], 'a line under the threshold is searched');
    const quokka = searchLibrary(lib, 'quokka');
    assert.equal(quokka.length, 1);
    assert.equal(quokka[0]!.snippet, '[quokka] sighted\nnumbat 42');
    assert.deepEqual(quokka[0]!.locator, { page: 1, box: [0, 20, 100, 30], unit: 'px' }, 'the box is the kept line, not the noise line above it');
    assert.deepEqual(searchLibrary(lib, '7'), []);
    assert.equal(searchLibrary(lib, '42')[0]?.content_uuid, uuid);
    assert.equal(searchLibrary(lib, 'wombat')[0]?.source, 'pdf-text');
    // The rows are the text searched; the sidecar, which the detail view shows, is untouched.
    // No store reads a content's rows back (the search reads them ranked): read here, for the assertion only.
    const rows = lib.db.prepare("SELECT text FROM search_docs WHERE content_uuid = ? AND source != 'name' ORDER BY locator").pluck().all(uuid);
    assert.deepEqual(rows, ['quokka sighted\nnumbat 42', 'wombat burrow']);
    const file = sidecarFile(lib, uuid, 'ocr', 'default');
    assert.equal(file.state, 'ready');
    assert.equal(readFileSync((file as { path: string }).path, 'utf8'), json);
    manager.markMissing({ contentUuid: uuid, kind: 'ocr', variant: 'default', format: 'json' }, 'test: done');
    await settle();
  });

  it('indexes an OCR sidecar when it becomes ready, and forgets it when it goes', async () => {
    const uuid = uuidOf('receipt-scan.png');
    const manager = new SidecarManager(lib);
    const ocr = { text: 'TOTAL 12.50 Café Olé', pages: [{ page: 1, source: 'ocr', text: 'TOTAL 12.50\nCafé Olé' }, { page: 2, source: 'text-layer', text: 'thank you for shopping' }] };
    manager.writeGenerated({ contentUuid: uuid, kind: 'ocr', variant: 'default', format: 'json' }, Buffer.from(JSON.stringify(ocr)), 'test');
    await settle();
    const cafe = searchLibrary(lib, 'cafe ole');
    assert.equal(cafe.length, 1);
    assert.equal(cafe[0]!.content_uuid, uuid);
    assert.equal(cafe[0]!.source, 'ocr');
    assert.deepEqual(cafe[0]!.locator, { page: 1 }, 'no blocks in this OCR: the page alone');
    assert.match(cafe[0]!.snippet, /\[Café\] \[Olé\]/);
    const phrase = searchLibrary(lib, '"thank you"');
    assert.equal(phrase[0]?.source, 'pdf-text');
    assert.deepEqual(phrase[0]?.locator, { page: 2 });
    assert.deepEqual(searchLibrary(lib, '"you thank"'), []);
    manager.markMissing({ contentUuid: uuid, kind: 'ocr', variant: 'default', format: 'json' }, 'test: file gone');
    await settle();
    assert.deepEqual(searchLibrary(lib, 'cafe'), []);
    assert.equal(searchLibrary(lib, 'receipt').length, 1, 'the name stays');
  });

  it('a transcript match says when its segment starts', async () => {
    const uuid = uuidOf('Crème brûlée recipe.txt');
    const manager = new SidecarManager(lib);
    const transcript = { segments: [{ start: 0, end: 4.2, text: 'welcome to the kitchen' }, { start: 4.2, end: 9.5, text: 'now caramelize the sugar' }] };
    manager.writeGenerated({ contentUuid: uuid, kind: 'transcript', variant: 'default', format: 'json' }, Buffer.from(JSON.stringify(transcript)), 'test');
    await settle();
    const [hit] = searchLibrary(lib, 'caramelize');
    assert.equal(hit?.source, 'transcript');
    assert.deepEqual(hit.locator, { start_s: 4.2 });
    assert.match(hit.snippet, /\[caramelize\]/);
  });

  it('a rescan brings the new name of a renamed file in', async () => {
    renameSync(join(tree, 'holiday notes.txt'), join(tree, 'vacation plans.txt'));
    await scanLocation(lib, loc);
    await settle();
    assert.deepEqual(searchLibrary(lib, 'holiday'), []);
    assert.ok(searchLibrary(lib, 'vacation')[0]?.paths[0]?.endsWith('vacation plans.txt'));
  });

  it('a copy under a name its content has already queues nothing; under a new name, its name is searched', async () => {
    await settle();
    // The queue looked at as the scans leave it: the follower, which drains it every few seconds, stopped meanwhile.
    follower!.stop();
    const uuid = uuidOf('東京都の天気予報.txt');
    mkdirSync(join(tree, 'copies'));
    writeFileSync(join(tree, 'copies', '東京都の天気予報.txt'), 'four');
    await scanLocation(lib, loc);
    assert.equal(lib.store.search.takePending(1000).includes(uuid), false, 'the same name: what search reads of it is unchanged');
    writeFileSync(join(tree, 'copies', 'weather forecast.txt'), 'four');
    await scanLocation(lib, loc);
    assert.equal(lib.store.search.takePending(1000).includes(uuid), true, 'a new name is queued');
    follower = followSidecars(lib);
    await settle();
    assert.equal(searchLibrary(lib, 'forecast')[0]?.content_uuid, uuid);
    assert.equal(searchLibrary(lib, '天気')[0]?.content_uuid, uuid);
    // Two files of one name and one content new to the library, linked in one batch: it is new to search.
    mkdirSync(join(tree, 'copies', 'a'));
    mkdirSync(join(tree, 'copies', 'b'));
    writeFileSync(join(tree, 'copies', 'a', 'twin postcard.txt'), 'five');
    writeFileSync(join(tree, 'copies', 'b', 'twin postcard.txt'), 'five');
    await scanLocation(lib, loc);
    await settle();
    assert.equal(searchLibrary(lib, 'twin')[0]?.paths.length, 2);
  });

  it('indexes in bounded slices: one slice takes one batch when its time is up, the rest waits its turn', async () => {
    lib.store.search.queue(Array.from({ length: 100 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`));
    const first = indexSlice(lib, 0);
    assert.ok(first.indexed > 0 && first.indexed < 100, `one batch: ${first.indexed}`);
    assert.equal(first.empty, false);
    // The follower may take some of the rest in its own slices meanwhile: together, all of it.
    const rest = await indexPending(lib);
    assert.ok(rest <= 100 - first.indexed, `the rest: ${rest}`);
    assert.equal(hasPending(lib), false);
  });

  it('refuses an unknown kind and an over-long query, as usage errors that say why', () => {
    assert.throws(() => searchLibrary(lib, 'txt', { kind: 'bogus' }), { code: 'USAGE', message: /unknown kind "bogus" \(one of image, video/ });
    assert.throws(() => searchLibrary(lib, 'a'.repeat(MAX_QUERY_CHARS + 1)), { code: 'USAGE', message: /1025 characters long; at most 1024/ });
    assert.throws(() => searchLibrary(lib, Array.from({ length: MAX_QUERY_TERMS + 1 }, (_, i) => `w${i}`).join(' ')), { code: 'USAGE', message: /33 words; at most 32/ });
    assert.deepEqual(searchLibrary(lib, Array.from({ length: MAX_QUERY_TERMS }, (_, i) => `w${i}`).join(' ')), []);
    assert.deepEqual(searchLibrary(lib, 'txt', { kind: 'audio' }), [], 'a known kind with nothing of it: no error');
  });

  it('a searched sidecar changed by another connection (another process) queues its content, with no event here', async () => {
    const uuid = uuidOf('receipt-scan.png');
    await settle();
    const other = new Database(lib.db.name);
    try {
      const sidecars = new Stores(other, lib.device.uuid).sidecars;
      const row = sidecars.get(uuid, 'ocr', 'default')!;
      assert.notEqual(row.status, 'ready');
      sidecars.upsert({ ...row, status: 'ready', checksum: 'x', size: 1 }, row.updated_at + 1);
      const queued = () => lib.store.search.takePending(1000).includes(uuid);
      assert.equal(queued(), true, 'UPDATE OF status queued it');
      for (const u of lib.store.search.takePending(1000)) lib.store.search.dropPending(u);
      sidecars.upsert({ ...row, status: 'ready', checksum: 'x', size: 1 }, row.updated_at + 2);
      assert.equal(sidecars.get(uuid, 'ocr', 'default')!.updated_at, row.updated_at + 2, 'the row was written');
      assert.equal(queued(), false, 'a change of nothing searchable does not');
      assert.equal(sidecars.delete(uuid, 'ocr', 'default'), 1);
      assert.equal(queued(), true, 'DELETE queued it');
    } finally {
      other.close();
    }
    await settle();
  });

  it('a sidecar that cannot be read is left out (the content keeps its name), not an error', async () => {
    const uuid = uuidOf('receipt-scan.png');
    const manager = new SidecarManager(lib);
    const info = manager.writeGenerated({ contentUuid: uuid, kind: 'ocr', variant: 'default', format: 'json' }, Buffer.from('{"pages": [not json'), 'test');
    assert.ok(info);
    await settle();
    assert.equal(searchLibrary(lib, 'receipt').length, 1, 'the name is still searched');
    manager.markMissing({ contentUuid: uuid, kind: 'ocr', variant: 'default', format: 'json' }, 'test: done');
    await settle();
  });

  it('boxes are read within a byte budget a query; past it, the page alone', async () => {
    const uuid = uuidOf('receipt-scan.png');
    const manager = new SidecarManager(lib);
    const page = (n: number) => ({ page: n, source: 'ocr', unit: 'px', text: `walrus on page ${n}`, blocks: [{ text: `walrus on page ${n}`, bbox: [n, 1, 100, 20] }] });
    manager.writeGenerated({ contentUuid: uuid, kind: 'ocr', variant: 'default', format: 'json' }, Buffer.from(JSON.stringify({ text: '', pages: [page(1), page(2)] })), 'test');
    await settle();
    const hits = [1, 2].map((n) => ({ content_uuid: uuid, kind: 'image', score: -1, snippet: '\u0002walrus\u0003 on page', source: 'ocr' as const, locator: n, at: null }));
    assert.deepEqual(locatorsOf(lib, hits), [{ page: 1, box: [1, 1, 100, 20], unit: 'px' }, { page: 2, box: [2, 1, 100, 20], unit: 'px' }]);
    assert.deepEqual(locatorsOf(lib, hits, 10), [{ page: 1 }, { page: 2 }], 'over the budget: no box, and no read');
    manager.markMissing({ contentUuid: uuid, kind: 'ocr', variant: 'default', format: 'json' }, 'test: done');
    await settle();
  });

  it('reindex rebuilds the same index, dropping rows of contents gone; limits are bounded', async () => {
    // A content's rows left behind when the content went (a crash between the two).
    lib.store.search.replaceRows('00000000-0000-4000-8000-00000000dead', [{ source: 'name', locator: null, at: null, text: 'ghostly', cjk: false }]);
    assert.equal(searchLibrary(lib, 'ghostly').length, 0, 'a content not in the library is not a result');
    const r = await reindex(lib);
    assert.equal(r.contents, 6, 'the 5 contents (the twin postcards\' one too) and the one gone');
    // No store reads the rows by text (the search hides a gone content's rows): read here, for the assertion only.
    assert.equal(lib.db.prepare("SELECT count(*) FROM search_docs WHERE text = 'ghostly'").pluck().get(), 0);
    assert.equal(searchLibrary(lib, '天気').length, 1, 'the trigram index is rebuilt too');
    assert.equal(searchLibrary(lib, 'vacation').length, 1);
    assert.equal(searchLibrary(lib, 'txt', { limit: 1 }).length, 1);
    assert.throws(() => searchLibrary(lib, 'txt', { limit: 501 }), { code: 'USAGE' });
    assert.throws(() => searchLibrary(lib, 'txt', { limit: 0 }), { code: 'USAGE' });
  });
});

describe('a kind filter looks at a bounded number of matching rows', () => {
  const tmp = tempDir('vss-search-kind-');
  let lib: Library;
  before(() => {
    lib = new Vss({ dataDir: join(tmp.path, 'data') }).createLibrary('K', tmp.path);
    const { contents, search } = lib.store;
    const content = (uuid: string, casId: string, kind: ContentKind, mime: string) => contents.upsert({ uuid, cas_id: casId, cas_version: 1, kind, mime, size: 1 }, 0);
    const doc = (uuid: string, text: string) => search.replaceRows(uuid, [{ source: 'name', locator: null, at: null, text, cjk: false }]);
    lib.store.transaction(() => {
      // 2,100 short texts with the word, then one audio content whose long text ranks it last.
      for (let i = 0; i < 2_100; i++) {
        const uuid = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
        content(uuid, `cas${i}`, 'text', 'text/plain');
        doc(uuid, `common note ${i}`);
      }
      const audio = '00000000-0000-4000-8000-00000000a0d1';
      content(audio, 'casaudio', 'audio', 'audio/mpeg');
      doc(audio, `common ${'filler '.repeat(200)}`);
    });
    assert.equal(lib.store.search.pendingCount(), 0, 'nothing queued over the rows written');
  });
  after(() => { lib.close(); tmp.cleanup(); });

  it('a common word filtered to a rare kind stops at the bound: fewer results, not every match ranked', () => {
    assert.deepEqual(searchLibrary(lib, 'common', { kind: 'audio', limit: 1 }), [], 'the audio row ranks past the 2,000 rows looked at');
    const wider = searchLibrary(lib, 'common', { kind: 'audio', limit: 200 });
    assert.equal(wider.length, 1, 'a bound of 16 × 200 rows reaches it');
    assert.equal(wider[0]!.kind, 'audio');
    assert.match(wider[0]!.snippet, /^\[common\] filler/, 'the snippet of the row kept, its match marked');
    assert.deepEqual(wider[0]!.marks, [[1, 7]]);
    assert.equal(searchLibrary(lib, 'common', { limit: 500 }).length, 500, 'without a kind, the fetch grows as far as it needs');
  });
});
