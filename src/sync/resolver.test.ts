import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { iterateContents } from '../content/list-contents.js';
import type { Installation } from '../library/installation.js';
import type { Library } from '../library/library.js';
import { startJobWork, type JobWork } from '../jobs/job-work.js';
import { generatorSettings } from '../jobs/settings.js';
import { sidecarAddress } from '../sidecars/address.js';
import { SidecarManager } from '../sidecars/manager.js';
import { FIXTURES, FIXTURES_SKIP, tempDir } from '../../test/helpers.js';
import { fetchFirstWith, resolveSidecar } from './resolver.js';
import { deviceWithFolder, LibraryCopyFetcher, photos } from './resolver-test-peer.js';

const THUMBS = 'thumb=grid@1x+grid@2x';

const ready = (lib: Library) => new SidecarManager(lib).list({ status: 'ready' });
/** Ready sidecars counted by kind (and source), in key order, as "kind" or "kind source". */
const counted = (lib: Library, bySource = false) => {
  const n = new Map<string, number>();
  for (const r of ready(lib)) {
    const k = bySource ? `${r.kind} ${r.source}` : r.kind;
    n.set(k, (n.get(k) ?? 0) + 1);
  }
  return Object.fromEntries([...n].sort(([x], [y]) => (x < y ? -1 : 1)));
};

describe('resolveSidecar over two real libraries (B made the thumbnails; A has its own copy of the folder)', () => {
  const tmp = tempDir();
  let b: { vss: Installation; lib: Library };
  let a: { vss: Installation; lib: Library };
  let contents: string[];
  let peer: LibraryCopyFetcher;
  let work: JobWork | undefined;
  const settings = () => generatorSettings(a.lib, a.vss.dataDir);
  const resolve = (c: string, variant: string, opts: Partial<Parameters<typeof resolveSidecar>[2]> = {}) =>
    resolveSidecar(a.lib, { contentUuid: c, kind: 'thumb', variant }, { settings: settings(), fetcher: peer, timeoutMs: 20_000, ...opts });

  before(async () => {
    await photos(join(tmp.path, 'photos'), 6);
    cpSync(join(tmp.path, 'photos'), join(tmp.path, 'photos-a'), { recursive: true });
    b = await deviceWithFolder(tmp.path, 'b', join(tmp.path, 'photos'), THUMBS, true);
    // A knows the same contents (same bytes, so the same content uuids) and has made nothing.
    a = await deviceWithFolder(tmp.path, 'a', join(tmp.path, 'photos-a'), 'none', false);
    contents = [...iterateContents(a.lib)].map((c) => c.content_uuid).sort();
    assert.equal(contents.length, 6);
    assert.deepEqual(counted(b.lib), { thumb: 12 });
    peer = new LibraryCopyFetcher(a.lib, b.lib);
    assert.equal(peer.announce(), 12);
  });
  after(async () => {
    await work?.stop();
    a.lib.close();
    b.lib.close();
    tmp.cleanup();
  });

  it('fetches from the peer that has it (prefer fetch), verified bytes recorded fetched; then answers local', async () => {
    const got = await resolve(contents[0]!, 'grid@1x', { prefer: 'fetch' });
    assert.equal(got.state, 'fetched');
    assert.ok(got.state === 'fetched');
    assert.equal(got.from, b.lib.device.uuid);
    const theirs = new SidecarManager(b.lib).get(sidecarAddress(contents[0]!, 'thumb', 'grid@1x'))!;
    assert.deepEqual(readFileSync(got.path), readFileSync(theirs.path!));
    assert.deepEqual(peer.calls.at(-1), { priority: 'user', count: 1 });
    const again = await resolve(contents[0]!, 'grid@1x');
    assert.deepEqual(again, { state: 'local', path: got.path, source: 'fetched' });
  });

  it('auto fetches a small thumbnail from a connected peer rather than making it', async () => {
    const got = await resolve(contents[1]!, 'grid@2x', { prefer: 'auto' });
    assert.equal(got.state, 'fetched');
  });

  it('prefer generate makes it here with the job work, and no fetch is asked for', async () => {
    work = startJobWork(a.lib, { dataDir: a.vss.dataDir, cpuBudget: 1, pollMs: 50 });
    const calls = peer.calls.length;
    const got = await resolve(contents[2]!, 'grid@1x', { prefer: 'generate' });
    assert.equal(got.state, 'generated', JSON.stringify(got));
    assert.equal(peer.calls.length, calls);
    assert.equal(new SidecarManager(a.lib).get(sidecarAddress(contents[2]!, 'thumb', 'grid@1x'))?.source, 'generated');
  });

  it('a failing fetch falls back to making it; no peer at all (auto) makes it straight away', async () => {
    peer.failWith = 'the peer broke off';
    try {
      const got = await resolve(contents[3]!, 'grid@1x', { prefer: 'fetch' });
      assert.equal(got.state, 'generated', JSON.stringify(got));
    } finally {
      peer.failWith = undefined;
    }
    peer.connected = false;
    try {
      const calls = peer.calls.length;
      const got = await resolve(contents[3]!, 'grid@2x', { prefer: 'auto' });
      assert.equal(got.state, 'generated');
      assert.equal(peer.calls.length, calls);
    } finally {
      peer.connected = true;
    }
  });

  it('unavailable with every reason: no peer has it and the source file is gone', async () => {
    const c = contents[4]!;
    // Every copy of this content on A is deleted: it cannot be made here.
    const copies = [...iterateContents(a.lib)].find((x) => x.content_uuid === c)!.paths;
    assert.equal(copies.length, 1);
    rmSync(copies[0]!);
    peer.connected = false;
    try {
      const got = await resolve(c, 'grid@1x', { prefer: 'auto' });
      assert.equal(got.state, 'unavailable');
      assert.ok(got.state === 'unavailable');
      assert.match(got.reason, /cannot be made here: no file with this content is on this device/);
      assert.match(got.reason, /no connected peer has it/);
    } finally {
      peer.connected = true;
    }
    // With the peer back it is fetched, though A cannot make it.
    assert.equal((await resolve(c, 'grid@1x', { prefer: 'auto' })).state, 'fetched');
  });

  it('a content not in the library, and a kind no peer has and this device cannot make, are unavailable at once', async () => {
    const got = await resolve('00000000-0000-4000-8000-000000000000', 'grid@1x');
    assert.equal(got.state, 'unavailable');
    assert.match((got as { reason: string }).reason, /no such content in this library/);
    const ocr = await resolveSidecar(a.lib, { contentUuid: contents[5]!, kind: 'transcript', variant: 'default' }, { settings: settings(), fetcher: peer });
    assert.equal(ocr.state, 'unavailable');
    assert.match((ocr as { reason: string }).reason, /not made from image content/);
  });

  it('waits no longer than its time when nothing works the queue, and says so', async () => {
    await work?.stop();
    work = undefined;
    const started = Date.now();
    const got = await resolve(contents[5]!, 'grid@1x', { prefer: 'generate', timeoutMs: 600 });
    // prefer generate: after waiting half its time for the job, it tries the peer, which has it.
    assert.equal(got.state, 'fetched', JSON.stringify(got));
    assert.ok(Date.now() - started < 10_000);
    const none = await resolveSidecar(a.lib, { contentUuid: contents[5]!, kind: 'thumb', variant: 'detail@1x' }, { settings: settings(), fetcher: peer, prefer: 'generate', timeoutMs: 400 });
    assert.equal(none.state, 'unavailable');
    assert.match((none as { reason: string }).reason, /not made within \d+ ms .*no connected peer has it/);
  });
});

describe('fetch before generate: a second device indexing the same folder generates nothing', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('its generation jobs fetch thumbnails and OCR a connected peer has ready; prefer generate or a failing peer makes them', { skip: FIXTURES_SKIP }, async () => {
    const folder = join(tmp.path, 'photos');
    await photos(folder, 3);
    cpSync(join(FIXTURES, 'ocr/tesseract-test/phototest-rotated-R.png'), join(folder, 'text.png'));
    const policy = `${THUMBS},ocr`;
    const b = await deviceWithFolder(tmp.path, 'b', folder, policy, true);
    assert.deepEqual(counted(b.lib), { ocr: 4, thumb: 8 });

    const runA = async (name: string, prefer: 'auto' | 'generate', fail?: string) => {
      const a = await deviceWithFolder(tmp.path, name, folder, policy, false);
      const peer = new LibraryCopyFetcher(a.lib, b.lib);
      peer.announce();
      peer.failWith = fail;
      const work = startJobWork(a.lib, { dataDir: a.vss.dataDir, cpuBudget: 1, pollMs: 50, fetchFirst: fetchFirstWith(a.lib, peer, () => prefer) });
      try {
        await work.waitUntilIdle(AbortSignal.timeout(120_000));
      } finally {
        await work.stop();
      }
      const rows = counted(a.lib, true);
      a.lib.close();
      return { rows, calls: peer.calls };
    };

    const fetched = await runA('a1', 'auto');
    assert.deepEqual(fetched.rows, { 'ocr fetched': 4, 'thumb fetched': 8 });
    assert.ok(fetched.calls.every((c) => c.priority === 'job'));

    const generated = await runA('a2', 'generate');
    assert.deepEqual(generated.rows, { 'ocr generated': 4, 'thumb generated': 8 });
    assert.equal(generated.calls.length, 0);

    const fallback = await runA('a3', 'auto', 'the peer broke off');
    assert.deepEqual(fallback.rows, { 'ocr generated': 4, 'thumb generated': 8 });
    assert.ok(fallback.calls.length > 0);
    b.lib.close();
  });
});
