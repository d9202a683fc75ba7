import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Vss } from '../../src/api/vss.js';
import type { LibraryApi } from '../../src/api/library-api.js';
import { json, tempDir, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { pairDaemons } from '../sync-peers.js';

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0'];
/** The paired device's contents: enough that a search's own short wait would not take them all. */
const FILES = 3000;

/**
 * After an unpair (issue 28), the unpaired device's contents leave the search index in the
 * daemon's background, no search needed, and a search meanwhile says nothing of "being indexed":
 * two real daemons over loopback; the queue is looked at through a second, read-only opening of
 * the library (a read answer with no wait indexes nothing).
 */
describe('search after an unpair', () => {
  const tmp = tempDir('vss-unpair-search-');
  const A = { VSS_DATA_DIR: join(tmp.path, 'a') };
  const B = { VSS_DATA_DIR: join(tmp.path, 'b') };
  let reader: LibraryApi | undefined;
  after(async () => {
    reader?.close();
    await Promise.all([runCli(['daemon', 'stop'], A), runCli(['daemon', 'stop'], B)]);
    tmp.cleanup();
  });
  /** What A's search queue holds now, looked at without indexing any of it. */
  const queue = async () => {
    const a = await reader!.search.answer('anything', { wait: 0 });
    return { pending: a.pending, removing: a.removing };
  };

  before(async () => {
    const made = json<{ path: string }>(await runCli(['library', 'create', 'Home', '--path', join(tmp.path, 'a-libs'), '--json'], A));
    for (const env of [A, B]) assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], env)).code, 0);
    await pairDaemons(A, B);
    const photos = join(tmp.path, 'photos-b');
    mkdirSync(photos);
    for (let i = 0; i < FILES; i++) writeFileSync(join(photos, `scan-${i}.txt`), `page ${i}`);
    const added = await runCli(['location', 'add', photos, '--name', 'Photos', '--mode', 'content'], B);
    assert.equal(added.code, 0, added.stderr);
    reader = new Vss({ dataDir: A.VSS_DATA_DIR }).openLibrary({ path: made.path, access: 'read' });
    await until('the desktop\'s contents here, indexed', 120_000, async () => {
      const list = json<unknown[]>(await runCli(['content', 'list', '--json'], A));
      const q = await queue();
      return list.length === FILES && q.pending + q.removing === 0 ? true : undefined;
    }, 500);
  });

  it('the unpaired device\'s contents leave the index in the background, and a search meanwhile says nothing is being indexed', async () => {
    const b = json<Array<{ id: string }>>(await runCli(['devices', 'list', '--json'], A))[0]!.id;
    assert.equal((await runCli(['devices', 'unpair', b], A)).code, 0);
    const right = await queue();
    assert.equal(right.pending, 0, `nothing is to be indexed: the ${right.removing} queued left the library`);
    await until('the queue drained with no search run', 60_000, async () => {
      const q = await queue();
      return q.pending + q.removing === 0 ? true : undefined;
    }, 250);
    const found = await runCli(['search', 'scan'], A);
    assert.equal(found.code, 0, found.stderr);
    assert.doesNotMatch(found.stderr, /being indexed/);
    assert.match(found.stdout, /Nothing found/);
  });
});
