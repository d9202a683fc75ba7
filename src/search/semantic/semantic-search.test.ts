import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generatorContext } from '../../../test/generator-context.js';
import { FIXTURES_SKIP, tempDir } from '../../../test/helpers.js';
import { contentUuidAt } from '../../../test/support/entries.js';
import { SEMANTIC_TEXTS as TEXTS, buildTinyEmbeddingModel } from '../../../test/tiny-embedding-model.js';
import { embeddingsGenerator } from '../../generators/embeddings/embeddings-generator.js';
import { Installation as Vss } from '../../library/installation.js';
import type { Library } from '../../library/library.js';
import { addLocation, scanLocation } from '../../locations/locations.js';
import { ModelRegistry } from '../../models/registry.js';
import { blake3 } from '@napi-rs/blake-hash';
import { sidecarAbsPath, sidecarAddress } from '../../sidecars/address.js';
import { SidecarManager } from '../../sidecars/manager.js';
import { sidecarFile } from '../../sidecars/sidecar-file.js';
import { indexPending } from '../search-index.js';
import { searchLibrary } from '../search-query.js';
import { RRF_K } from './fuse-rankings.js';
import { SemanticSearch } from './semantic-search.js';

/**
 * Semantic search over a real library: real files, embeddings sidecars made by the real generator
 * with a tiny real ONNX model (test/tiny-embedding-model.ts) and written by the sidecar manager,
 * so the index hears of them as it would of any job's or peer's.
 */
const DIMS = 12;
const VARIANT = 'tiny';
describe('semantic search (real library, real generated embeddings)', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir('vss-semantic-');
  const dataDir = join(tmp.path, 'data');
  const tree = join(tmp.path, 'tree');
  const modelDir = join(tmp.path, 'model');
  let lib: Library;
  let manager: SidecarManager;
  let search: SemanticSearch;
  const uuidOf = (name: string) => contentUuidAt(lib, name)!;

  /** Embeddings of TEXT by the real generator, as the bytes of the sidecar file. */
  async function embeddingsOf(text: string): Promise<Buffer> {
    const path = join(tmp.path, `src-${Math.random().toString(36).slice(2)}.txt`);
    writeFileSync(path, text);
    const ctx = generatorContext({ path, kind: 'text', mime: 'text/plain', variants: [VARIANT], settings: { models: { embeddings: [{ id: VARIANT, dir: modelDir }] }, threads: 1 } });
    try {
      const [out] = await embeddingsGenerator.generate(ctx);
      assert.ok(out && 'data' in out, JSON.stringify(out));
      return out.data;
    } finally {
      ctx.cleanup();
    }
  }
  const write = (name: string, data: Buffer) => manager.writeGenerated(sidecarAddress(uuidOf(name), 'embeddings', VARIANT), data, 'test@1');
  /** Until the index has applied what it was told (the query waits for that itself; bounded anyway). */
  const query = (q: string, opts: { kind?: string; limit?: number } = {}) => Promise.race([
    search.query(q, opts),
    sleep(60_000, undefined, { ref: false }).then(() => { throw new Error('semantic query took over 60 s'); }),
  ]);

  before(async () => {
    buildTinyEmbeddingModel(modelDir, { dims: DIMS });
    new ModelRegistry(dataDir).add({ engine: 'embeddings', id: VARIANT, path: modelDir });
    mkdirSync(tree, { recursive: true });
    for (const [name, text] of Object.entries(TEXTS)) writeFileSync(join(tree, name), text);
    lib = new Vss({ dataDir }).createLibrary('S', tmp.path);
    await scanLocation(lib, addLocation(lib, tree, { mode: 'content' }).id);
    manager = new SidecarManager(lib);
    for (const [name, text] of Object.entries(TEXTS)) write(name, await embeddingsOf(text));
    search = new SemanticSearch(lib, dataDir);
  });
  after(() => { search.close(); lib.close(); tmp.cleanup(); });

  it('finds the chunk whose text is the query first, with a cosine of 1', async () => {
    for (const [name, text] of Object.entries(TEXTS)) {
      const r = await query(text);
      assert.equal(r.length, Object.keys(TEXTS).length);
      assert.ok(r[0]!.paths[0]!.endsWith(`/${name}`), `${name}: got ${r[0]!.paths[0]}`);
      assert.ok(Math.abs(r[0]!.score - 1) < 1e-4, `${name}: score ${r[0]!.score}`);
      assert.ok(r[1]!.score < 0.999, `${name}: the second is as near as the first`);
      assert.equal(r[0]!.source, 'semantic');
      assert.equal(r[0]!.snippet, text);
      assert.deepEqual(r[0]!.locator, { chunk: 0 });
      assert.equal(r[0]!.kind, 'text');
      assert.ok(r.every((h) => h.score_kind === 'cosine'));
      for (let i = 1; i < r.length; i++) assert.ok(r[i - 1]!.score >= r[i]!.score, 'not nearest first');
    }
    const v = search.vectors(VARIANT)!;
    assert.equal((await v.current()).contents, Object.keys(TEXTS).length);
    assert.equal(v.skipped.size, 0);
  });

  it('says what each score is: bm25 for a word match, cosine for a semantic one, rrf once the two are fused', async () => {
    await indexPending(lib);
    const text = searchLibrary(lib, 'garden');
    assert.deepEqual(text.map((h) => [h.source, h.score_kind]), [['name', 'bm25']]);
    assert.ok(text[0]!.score < 0, `BM25 in SQLite's sign: ${text[0]!.score}`);
    // Both rankings found something: every score is the fused one, the semantic-only entries' too.
    const fused = await search.hybrid('garden', text);
    assert.equal(fused.length, Object.keys(TEXTS).length);
    assert.deepEqual([fused[0]!.source, fused[0]!.score_kind], ['name', 'rrf']);
    assert.ok(fused.slice(1).every((h) => h.source === 'semantic' && h.score_kind === 'rrf' && h.score <= 1 / (RRF_K + 1)));
    // The words are in no name: the semantic ranking alone, its cosines.
    const river = TEXTS['river.txt']!;
    assert.deepEqual(searchLibrary(lib, river), []);
    const near = await search.hybrid(river, []);
    assert.ok(near[0]!.paths[0]!.endsWith('/river.txt'));
    assert.ok(near.every((h) => h.score_kind === 'cosine'));
    assert.ok(Math.abs(near[0]!.score - 1) < 1e-4);
  });

  it('keeps to the limit and the kind', async () => {
    assert.equal((await query(TEXTS['fox.txt']!, { limit: 2 })).length, 2);
    assert.deepEqual(await query(TEXTS['fox.txt']!, { kind: 'image' }), []);
    await assert.rejects(query(TEXTS['fox.txt']!, { limit: 0 }), { code: 'USAGE' });
    await assert.rejects(query('   '), { code: 'USAGE' });
  });

  it('follows a sidecar that changes and one that goes', async () => {
    const changed = 'People read a story in the evening light.';
    write('letter.txt', await embeddingsOf(changed));
    const r = await query(changed);
    assert.ok(r[0]!.paths[0]!.endsWith('/letter.txt'));
    assert.ok(Math.abs(r[0]!.score - 1) < 1e-4);
    assert.equal(r[0]!.snippet, changed);
    // The old text no longer finds letter.txt by its own chunk.
    const old = await query(TEXTS['letter.txt']!);
    assert.ok(old.every((h) => h.score < 0.999), 'the replaced chunk is still held');

    // The file of garden.txt's sidecar goes: the manager marks it missing, the index lets it go.
    const a = sidecarAddress(uuidOf('garden.txt'), 'embeddings', VARIANT);
    const file = sidecarFile(lib, a.contentUuid, a.kind, a.variant);
    assert.equal(file.state, 'ready');
    rmSync((file as { path: string }).path);
    manager.markMissing(a, 'test: file removed');
    const gone = await query(TEXTS['garden.txt']!);
    assert.ok(gone.every((h) => !h.paths[0]!.endsWith('/garden.txt')), 'garden.txt is still found');
    assert.equal((await search.vectors(VARIANT)!.current()).contents, Object.keys(TEXTS).length - 1);
    // Made again: found again.
    write('garden.txt', await embeddingsOf(TEXTS['garden.txt']!));
    assert.ok((await query(TEXTS['garden.txt']!))[0]!.paths[0]!.endsWith('/garden.txt'));
  });

  it('follows a sidecar fetched from a peer (recorded as sync records it)', async () => {
    const fetched = 'Green light over the water in the evening.';
    const data = await embeddingsOf(fetched);
    const a = sidecarAddress(uuidOf('river.txt'), 'embeddings', VARIANT);
    // Sync's transfer store: the bytes renamed into place, then recorded ready and fetched in one batch.
    writeFileSync(sidecarAbsPath(lib.root, a), data);
    manager.recordMany([{ address: a, fields: { status: 'ready', source: 'fetched', size: data.length, checksum: blake3(data).toString('hex'), sourceEntryId: null, error: null } }]);
    const r = await query(fetched);
    assert.ok(r[0]!.paths[0]!.endsWith('/river.txt'));
    assert.ok(Math.abs(r[0]!.score - 1) < 1e-4);
  });

  it('skips a corrupt embeddings file with the reason, made before or after the index', async () => {
    const fox = TEXTS['fox.txt']!;
    write('fox.txt', Buffer.from(JSON.stringify({ model: VARIANT, dims: DIMS, chunks: [{ text: fox, vector: [1, 2, 3] }] })));
    assert.ok((await query(fox)).every((h) => !h.paths[0]!.endsWith('/fox.txt')));
    assert.match(search.vectors(VARIANT)!.skipped.get(uuidOf('fox.txt')) ?? '', /chunk 0 has no vector of 12 numbers/);

    write('river.txt', Buffer.from('{"model": "tiny", "dims": 12, "chunks": [')); // cut short
    // A new search (another process, a restart) builds its index from files already corrupt.
    const fresh = new SemanticSearch(lib, dataDir);
    try {
      const r = await fresh.query(TEXTS['letter.txt']!);
      assert.deepEqual(r.map((h) => h.paths[0]!.split('/').at(-1)).sort(), ['garden.txt', 'letter.txt']);
      const skipped = fresh.vectors(VARIANT)!.skipped;
      assert.match(skipped.get(uuidOf('river.txt')) ?? '', /^not JSON/);
      assert.match(skipped.get(uuidOf('fox.txt')) ?? '', /no vector of 12/);
      // Another model's width, or another model's file under this name, are skipped too.
      write('letter.txt', Buffer.from(JSON.stringify({ model: VARIANT, dims: 3, chunks: [{ text: 'x', vector: [1, 0, 0] }] })));
      write('garden.txt', Buffer.from(JSON.stringify({ model: 'other', dims: DIMS, chunks: [] })));
      assert.deepEqual(await fresh.query(TEXTS['letter.txt']!), []);
      assert.match(skipped.get(uuidOf('letter.txt')) ?? '', /vectors of 3 numbers where the model now gives 12/);
      assert.match(skipped.get(uuidOf('garden.txt')) ?? '', /made by model "other"/);
      // Mended: found again, no longer listed as skipped.
      write('fox.txt', await embeddingsOf(fox));
      assert.ok((await fresh.query(fox))[0]!.paths[0]!.endsWith('/fox.txt'));
      assert.equal(skipped.has(uuidOf('fox.txt')), false);
    } finally {
      fresh.close();
    }
  });

  it('without an embeddings model installed, says to add one', async () => {
    const bare = new SemanticSearch(lib, join(tmp.path, 'no-models'));
    await assert.rejects(bare.query('anything'), (err: Error & { code?: string }) => err.code === 'USAGE' && /vss models add embeddings/.test(err.message));
    await assert.rejects(search.query('anything', { model: 'nope' }), (err: Error & { code?: string }) => err.code === 'USAGE' && /no embeddings model "nope".*installed: tiny/.test(err.message));
  });

  it('lets go of the vectors of a model removed from this device', async () => {
    const otherDir = join(tmp.path, 'model-2');
    buildTinyEmbeddingModel(otherDir, { dims: 8, seed: 2 });
    const registry = new ModelRegistry(dataDir);
    registry.add({ engine: 'embeddings', id: 'other', path: otherDir });
    assert.deepEqual(await search.query('garden', { model: 'OTHER' }), [], 'no sidecars of that model yet');
    assert.ok(search.vectors(VARIANT) && search.vectors('other'));
    registry.remove('embeddings', VARIANT);
    await search.query('garden');
    assert.equal(search.vectors(VARIANT), undefined);
    assert.ok(search.vectors('other'));
  });
});
