import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { json, runCli, tempDir } from '../helpers.js';
// The CLI in this process for what is not the subject (setup, status, the daemon's start and stop,
// the read asked during the scan: the daemon answers it whoever asks); each `location add` whose
// scan runs meanwhile stays a child process, as calls here run one at a time.
import { cliHere } from '../support/cli-here.js';
import { memoryTempDir } from '../support/memory-dir.js';

interface Location { id: number; scan_state: string }
interface Content { content_uuid: string }

/**
 * DESIGN §12: the daemon owns the libraries, so reads never wait for a scan. A scan of 80,000
 * files runs in the daemon; a page of the content list and `sidecars path` answer while it is
 * still running (the `location add` that asked for it has not returned yet). A page, not the
 * whole list: listing tens of thousands of contents takes seconds of its own, and a scan may end
 * meanwhile, which would say nothing about waiting.
 */
describe('daemon: reads answer while a large scan runs', () => {
  const tmp = tempDir('vss-reads-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  // The scanned trees (120,000 small files) in memory where there is a tmpfs: made and removed on
  // the disk they were most of this file's CPU, kernel time in its journal, and what the tests check
  // is the daemon answering during a scan, not the disk the scanned files are on.
  const trees = memoryTempDir('vss-reads-trees-');
  const big = join(trees.path, 'big');
  /** The locations as the daemon's API lists them (what `vss location list --json` prints), over HTTP: no CLI process a poll. */
  const locationsOfDaemon = async (): Promise<() => Promise<Array<Location & { files: number }>>> => {
    const { http } = json<{ http: string }>(await cliHere(['daemon', 'status', '--json'], env));
    const token = readFileSync(join(env.VSS_DATA_DIR, 'daemon.token'), 'utf8').trim();
    return async () => {
      const res = await fetch(`${http}/api/libraries/current/locations`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
      assert.equal(res.status, 200);
      return (await res.json()) as Array<Location & { files: number }>;
    };
  };
  after(async () => {
    await cliHere(['daemon', 'stop'], env);
    tmp.cleanup();
    trees.cleanup();
  });

  it('lists contents and answers sidecars path without waiting for the scan', { timeout: 180_000 }, async () => {
    for (let d = 0; d < 100; d++) {
      mkdirSync(join(big, `d${d}`), { recursive: true });
      for (let i = 0; i < 800; i++) writeFileSync(join(big, `d${d}`, `f${i}.txt`), `${d}/${i}`);
    }
    assert.equal((await cliHere(['library', 'create', 'Reads', '--path', tmp.path], env)).code, 0);
    assert.equal((await cliHere(['daemon', 'start'], env)).code, 0);
    let scanDone = false;
    const scan = runCli(['location', 'add', big, '--mode', 'content', '--json'], env).finally(() => { scanDone = true; });
    const http = json<{ http: string }>(await cliHere(['daemon', 'status', '--json'], env)).http;
    const token = readFileSync(join(env.VSS_DATA_DIR, 'daemon.token'), 'utf8').trim();
    const firstPage = async (): Promise<Content[]> => {
      const res = await fetch(`${http}/api/libraries/current/content?limit=5`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
      assert.equal(res.status, 200);
      return ((await res.json()) as { items: Content[] }).items;
    };

    const locations = await locationsOfDaemon();
    const deadline = Date.now() + 30_000;
    let listed: Content[] = [];
    for (;;) {
      const locs = await locations();
      if (locs[0]?.scan_state === 'scanning') {
        listed = await firstPage();
        if (listed.length > 0) break;
      }
      assert.ok(Date.now() < deadline, 'the scan was seen running with contents identified');
      await sleep(250);
    }
    const path = await cliHere(['sidecars', 'path', listed[0]!.content_uuid, 'thumb', 'grid@1x'], env);
    assert.equal(path.code, 1, 'a text file has no thumbnail: a clear refusal, at once');
    assert.match(path.stderr, /unavailable/);
    assert.equal(scanDone, false, 'both answered while the scan was still running');

    const result = await scan;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).files, 80_000);
  });

  it('a stop during a scan a client asked for ends cleanly, and the next start finishes the scan', async () => {
    const more = join(trees.path, 'more');
    for (let d = 0; d < 100; d++) {
      mkdirSync(join(more, `d${d}`), { recursive: true });
      for (let i = 0; i < 400; i++) writeFileSync(join(more, `d${d}`, `g${i}.txt`), `more ${d}/${i}`);
    }
    const scan = runCli(['location', 'add', more, '--mode', 'content'], env);
    const scanning = await locationsOfDaemon();
    const deadline = Date.now() + 30_000;
    for (;;) {
      const locs = await scanning();
      if (locs.length === 2 && locs[1]!.scan_state === 'scanning') break;
      assert.ok(Date.now() < deadline, 'the second scan was seen running');
      await sleep(250);
    }
    const stop = await cliHere(['daemon', 'stop'], env);
    assert.equal(stop.code, 0, stop.stderr);
    const cut = await scan;
    if (cut.code !== 0) assert.match(cut.stderr, /^vss: error: the daemon (stopped before|does not answer)/, 'one clear line, not what the closed database said');
    const log = await cliHere(['daemon', 'logs'], env);
    assert.doesNotMatch(log.stdout, /connection is not open/);

    assert.equal((await cliHere(['daemon', 'start'], env)).code, 0);
    const restarted = await locationsOfDaemon();
    const done = Date.now() + 60_000;
    for (;;) {
      const locs = await restarted();
      if (locs[1]?.scan_state === 'complete' && locs[1].files === 40_000) break;
      assert.ok(Date.now() < done, `the next start finishes the scan: ${JSON.stringify(locs[1])}`);
      await sleep(200);
    }
  });
});
