import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { json, tempDir, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { pairDaemons } from '../sync-peers.js';

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0'];
const NOTES = 200;
const PHOTOS = 4;
/**
 * A bound, not a speed claim: the first pull and prefetch start as pairing ends. Before, the
 * thumbnails waited for prefetch's next 60 s round whenever the peer's contents came in after its
 * availability (the two feeds are pulled side by side).
 */
const AT_ONCE_MS = 15_000;

interface PeerStatus {
  name: string; online: boolean; entries: number; last_exchange: string | null;
  files_fetched: number; bytes_fetched: number; pulling: boolean; files_listed: number; files_total: number; to_fetch: number;
}
interface Job { status: string }

/**
 * Issue 29, "after pairing, at once": real daemons through the CLI on loopback. Right after
 * pairing, the new device lists and finds the other's files, and fetches its thumbnails, and
 * `sync status` says how far that got, within seconds, on either way of pairing.
 */
describe('after pairing, the other device\'s files and thumbnails arrive at once', () => {
  const tmp = tempDir('vss-first-pull-');
  const A = { VSS_DATA_DIR: join(tmp.path, 'a') };
  const B = { VSS_DATA_DIR: join(tmp.path, 'b') };
  const C = { VSS_DATA_DIR: join(tmp.path, 'c') };
  const notes = join(tmp.path, 'notes');
  const pics = join(tmp.path, 'pics');
  const statusOf = async (env: Record<string, string>) => json<PeerStatus[]>(await runCli(['sync', 'status', '--json'], env));

  before(async () => {
    mkdirSync(notes, { recursive: true });
    mkdirSync(pics, { recursive: true });
    for (let i = 0; i < NOTES; i++) writeFileSync(join(notes, `note-${i}.txt`), `note ${i}`);
    for (let i = 0; i < PHOTOS; i++) {
      await sharp({ create: { width: 480, height: 320, channels: 3, background: { r: 60 * i, g: 120, b: 200 - 40 * i } } }).jpeg().toFile(join(pics, `photo-${i}.jpg`));
    }
    assert.equal((await runCli(['library', 'create', 'Home', '--path', join(tmp.path, 'a-libs')], A)).code, 0);
    for (const [env, name] of [[A, 'Laptop'], [B, 'Desktop'], [C, 'Box']] as const) {
      assert.equal((await runCli(['device', 'rename', name], env)).code, 0);
      const started = await runCli(['daemon', 'start', ...LOOPBACK], env);
      assert.equal(started.code, 0, started.stderr);
    }
    assert.equal((await runCli(['location', 'add', notes, '--mode', 'content'], A)).code, 0);
    assert.equal((await runCli(['location', 'add', pics, '--mode', 'deep', '--generate', 'thumb'], A)).code, 0);
    // The laptop's thumbnails made before it pairs: what the others fetch.
    await until('the laptop\'s thumbnails made', 60_000, async () => {
      const jobs = json<Job[]>(await runCli(['jobs', 'list', '--json'], A));
      return jobs.length >= PHOTOS && jobs.every((j) => j.status === 'completed') ? true : undefined;
    }, 300);
  });
  after(async () => {
    await Promise.all([A, B, C].map((env) => runCli(['daemon', 'stop'], env)));
    tmp.cleanup();
  });

  /** ENV's view of the laptop, once its files are all listed and prefetch caught up; each number checked. */
  async function caughtUp(env: Record<string, string>, what: string, started: number): Promise<PeerStatus> {
    const done = await until(what, AT_ONCE_MS, async () => {
      const laptop = (await statusOf(env)).find((p) => p.name === 'Laptop');
      return laptop && laptop.files_total > 0 && laptop.files_listed === laptop.files_total && laptop.files_fetched > 0 && laptop.to_fetch === 0 ? laptop : undefined;
    }, 200);
    assert.ok(Date.now() - started < AT_ONCE_MS);
    assert.equal(done.files_total, NOTES + PHOTOS, 'the laptop\'s locations say how many files it holds');
    assert.ok(done.online && done.last_exchange !== null);
    assert.ok(done.entries >= done.files_fetched, 'no more fetched than the laptop said it has');
    assert.ok(done.bytes_fetched > 0);
    // Thumbnails only, a few of each photo.
    assert.equal(done.files_fetched % PHOTOS, 0, `${done.files_fetched} fetched of ${PHOTOS} photos`);
    return done;
  }

  it('a device that joins the laptop\'s library finds its files and has its thumbnails within seconds', async () => {
    await pairDaemons(A, B);
    const started = Date.now();
    const found = await until('a note found on the desktop', AT_ONCE_MS, async () => {
      const r = json<unknown[]>(await runCli(['search', 'note', '--limit', '500', '--json'], B));
      return r.length === NOTES ? r : undefined;
    }, 200);
    assert.equal(found.length, NOTES);
    await caughtUp(B, 'the desktop caught up with the laptop', started);
    // The other side: the laptop hears of what the desktop fetched (its availability) at once too.
    await until('the laptop knows the desktop has the thumbnails', AT_ONCE_MS, async () => {
      const desktop = (await statusOf(A)).find((p) => p.name === 'Desktop');
      return desktop && desktop.entries > 0 && desktop.last_exchange !== null ? desktop : undefined;
    }, 200);
  });

  it('a device with no library that shows the code joins the laptop\'s, and catches up as fast', async () => {
    // The box shows the code and has no library of its own: it takes part in the laptop's.
    await pairDaemons(C, A);
    const started = Date.now();
    await caughtUp(C, 'the box caught up with the laptop', started);
    const listed = json<Array<{ name: string }>>(await runCli(['ls', 'Laptop:', '--json'], C));
    assert.deepEqual(listed.map((l) => l.name).sort(), ['notes', 'pics']);
  });
});
