import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Vss, UsageError, type LibraryApi } from '../../src/index.js';
import { tempDir } from '../helpers.js';

/** The public core API over real files and a real library (no CLI in between). */
describe('core API', () => {
  const tmp = tempDir();
  const folder = join(tmp.path, 'folder');
  let vss: Vss;
  let libPath: string;

  before(async () => {
    mkdirSync(folder);
    for (let i = 0; i < 25; i++) writeFileSync(join(folder, `f${i}.txt`), `file number ${i}\n`);
    writeFileSync(join(folder, 'copy-of-f3.txt'), 'file number 3\n');
    vss = new Vss({ dataDir: join(tmp.path, 'data') });
    libPath = vss.libraries.create('Api', { dir: tmp.path }).path;
    const r = await vss.withLibrary({ path: libPath }, (lib) => lib.locations.add(folder, { mode: 'content' }));
    assert.equal(r.files, 26);
    assert.equal(r.contents, 25);
  });
  after(() => tmp.cleanup());

  const read = <T>(fn: (lib: LibraryApi) => T | Promise<T>) => vss.withLibrary({ path: libPath, access: 'read' }, fn);

  it('counts the contents of the location scanned, alone or beside another (a scan\'s `contents`)', async () => {
    const other = join(tmp.path, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'same-as-f1.txt'), 'file number 1\n');
    writeFileSync(join(other, 'new.txt'), 'only here\n');
    // A Vss of its own: the other tests know which libraries theirs holds.
    const own = new Vss({ dataDir: join(tmp.path, 'counted-data') });
    const path = own.libraries.create('Counted', { dir: join(tmp.path, 'counted') }).path;
    await own.withLibrary({ path }, async (lib) => {
      const first = await lib.locations.add(folder, { mode: 'content' });
      assert.equal(first.contents, 25);
      const second = await lib.locations.add(other, { mode: 'content' });
      assert.equal(second.contents, 2);
      assert.equal((await lib.locations.rescan(first.location_id)).contents, 25);
      await lib.locations.remove(second.location_id);
      assert.equal((await lib.locations.rescan(first.location_id)).contents, 25);
    });
  });

  it('pages a list with a cursor: every item once, in order, and the same as the stream', async () => {
    await read((lib) => {
      const streamed = [...lib.content.iterate()].map((c) => c.content_uuid);
      assert.equal(streamed.length, 25);
      const paged: string[] = [];
      let after: string | null = null;
      let pages = 0;
      do {
        const page = lib.content.list({ after, limit: 7 });
        assert.ok(page.items.length <= 7);
        paged.push(...page.items.map((c) => c.content_uuid));
        after = page.next;
        pages++;
      } while (after !== null && pages < 10);
      assert.equal(pages, 4);
      assert.deepEqual(paged, streamed);
      const dup = [...lib.content.iterate()].find((c) => c.paths.length === 2);
      assert.deepEqual(dup?.paths.sort(), [join(folder, 'copy-of-f3.txt'), join(folder, 'f3.txt')]);
    });
  });

  it('refuses a bad cursor or page size with a usage error', async () => {
    await read((lib) => {
      assert.throws(() => lib.content.list({ after: '../1' }), UsageError);
      assert.throws(() => lib.jobs.list({ limit: 0 }), UsageError);
      assert.throws(() => lib.sidecars.list({ limit: 5000 }), UsageError);
      assert.throws(() => lib.jobs.list({ status: 'nonsense' }), /status must be one of/);
    });
  });

  it('answers a sidecar request with the reason it cannot be made, and queues what can be', async () => {
    await read(async (lib) => {
      const text = [...lib.content.iterate({ kind: 'text' })][0]!;
      const thumb = await lib.sidecars.path(text.content_uuid, 'thumb', 'grid@1x');
      assert.equal(thumb.state, 'unavailable');
      assert.match(thumb.state === 'unavailable' ? thumb.reason : '', /cannot be made from text content/);
      const unknown = await lib.sidecars.path('00000000-0000-5000-8000-000000000000', 'ocr', 'default');
      assert.deepEqual(unknown, { state: 'unavailable', reason: 'no such content in this library' });
      await assert.rejects(lib.sidecars.path(text.content_uuid, 'thumb', '../../etc'), /invalid sidecar variant/);
    });
  });

  it('lists jobs and sidecars as plain JSON-ready objects', async () => {
    await read((lib) => {
      const jobs = lib.jobs.list({ limit: 1000 });
      assert.deepEqual(JSON.parse(JSON.stringify(jobs)), jobs);
      const sidecars = lib.sidecars.list();
      assert.deepEqual(JSON.parse(JSON.stringify(sidecars)), sidecars);
      assert.deepEqual(lib.sidecars.presence([], 'thumb'), []);
    });
  });

  it('reads and sets the generation policy, and refuses a bad one', async () => {
    await read((lib) => {
      assert.equal(lib.policy.get('mobile').default, true);
      assert.deepEqual(lib.policy.set('thumb=grid@1x', 'mobile'), { device_type: 'mobile', policy: 'thumb=grid@1x', default: false });
      assert.throws(() => lib.policy.set('thumb=huge@9x', 'mobile'), /huge@9x/);
      assert.throws(() => lib.policy.get('toaster'), /device type must be one of/);
      assert.equal(lib.policy.set('default', 'mobile').default, true);
    });
  });

  it('knows the library it created and reports a vanished one', () => {
    const all = vss.libraries.list();
    assert.deepEqual(all.map((l) => [l.path, l.current, l.available]), [[libPath, true, true]]);
    assert.equal(vss.libraries.current().path, libPath);
    const gone = vss.libraries.create('Gone', { dir: tmp.path, makeCurrent: false });
    rmSync(gone.path, { recursive: true });
    assert.equal(vss.libraries.list().find((l) => l.path === gone.path)?.available, false);
  });

  it('refuses an unknown model engine and a missing model file with the reason', async () => {
    await assert.rejects(vss.models.add('gpt', join(tmp.path, 'x')), /unknown model engine "gpt"/);
    await assert.rejects(vss.models.add('whisper', join(tmp.path, 'nope.bin')), /no such file or folder/);
    assert.deepEqual(vss.models.list(), []);
  });
});
