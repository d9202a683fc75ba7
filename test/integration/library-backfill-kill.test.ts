import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Installation } from '../../src/library/installation.js';
import { PeerLibrary } from '../../src/sync/library/peer-library.js';
import { peerIdOfPublicKey } from '../../src/sync/net/device-key.js';
import { seedOwnerRows } from '../support/owner-rows.js';
import { tempDir, within } from '../helpers.js';

const PEER = fileURLToPath(new URL('../net/library-peer.js', import.meta.url));
const FILES = 100_000;
const FOLDERS = FILES / 100;

/** A library-peer process, its JSON lines as they come. */
function peer(args: string[]): { child: ChildProcess; next(ms: number): Promise<Record<string, unknown>>; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [PEER, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: Array<Record<string, unknown>> = [];
  let wake: (() => void) | undefined;
  createInterface({ input: child.stdout! }).on('line', (l) => {
    lines.push(JSON.parse(l) as Record<string, unknown>);
    wake?.();
  });
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => { wake?.(); r(code); }));
  return {
    child, exit,
    async next(ms) {
      const deadline = Date.now() + ms;
      while (lines.length === 0) {
        if (Date.now() > deadline || child.exitCode !== null || child.signalCode !== null) throw new Error(`library-peer ${args[0]} said nothing more`);
        await new Promise<void>((r) => { wake = r; setTimeout(r, 200); });
      }
      return lines.shift()!;
    },
  };
}

/** Lines until one with KEY (bounded), e.g. the fifth page. */
async function until(p: ReturnType<typeof peer>, ok: (line: Record<string, unknown>) => boolean, ms: number): Promise<Record<string, unknown>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const line = await p.next(Math.max(1, deadline - Date.now()));
    if (ok(line)) return line;
  }
}

/**
 * DESIGN §15 across real processes: a backfill of 100k entries, the puller killed with SIGKILL in
 * the middle, then the owner killed in the middle; each time the next pull goes on from the last
 * page applied, and the puller ends with every row once.
 */
describe('library sync: a killed backfill resumes without a row twice or lost', () => {
  const tmp = tempDir('vss-libkill-');
  const A = { data: join(tmp.path, 'a-data'), root: '' };
  const B = { data: join(tmp.path, 'b-data'), root: '' };
  let ownerUuid = '';
  let pullerUuid = '';
  let ownerPeer = '';
  let pullerPeer = '';
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    tmp.cleanup();
  });

  before(() => {
    const a = new Installation({ dataDir: A.data });
    const owner = a.createLibrary('Home', join(tmp.path, 'a'));
    seedOwnerRows(owner, FILES);
    A.root = owner.root;
    ownerUuid = owner.device.uuid;
    ownerPeer = peerIdOfPublicKey(owner.device.publicKey);
    const b = new Installation({ dataDir: B.data });
    const puller = b.createLibrary('Home', join(tmp.path, 'b'));
    B.root = puller.root;
    pullerUuid = puller.device.uuid;
    pullerPeer = peerIdOfPublicKey(puller.device.publicKey);
    const id = owner.config.id;
    owner.close();
    puller.close();
    // The joiner's library takes the owner's id, as pairing leaves them.
    const cfg = join(B.root, 'library.json');
    writeFileSync(cfg, JSON.stringify({ ...JSON.parse(readFileSync(cfg, 'utf8')), id }));
  });

  const serve = async () => {
    const s = peer(['serve', A.data, A.root, pullerPeer, pullerUuid]);
    children.push(s.child);
    const ready = (await s.next(30_000)).ready as { addr: string };
    return { ...s, addr: ready.addr };
  };
  const pull = (addr: string) => {
    const p = peer(['pull', B.data, B.root, addr, ownerUuid]);
    children.push(p.child);
    return p;
  };
  const counts = () => {
    const lib = new Installation({ dataDir: B.data }).openLibrary(B.root);
    try {
      return { ...lib.store.peerEntries.count(ownerUuid), contents: lib.store.peerContents.count(ownerUuid), pending: new PeerLibrary(lib).state(ownerUuid)?.pending ?? null };
    } finally {
      lib.close();
    }
  };

  it('the puller killed mid-backfill goes on from its last page', async () => {
    const owner = await serve();
    const first = pull(owner.addr);
    // Killed once a batch of pages is committed (pages are committed a couple of seconds at a time).
    await until(first, (l) => l.committed === true, 60_000);
    first.child.kill('SIGKILL');
    await within('the killed puller gone', 10_000, first.exit);
    const half = counts();
    assert.ok(half.files > 0 && half.files < FILES, `part of the rows came: ${half.files}`);
    assert.ok(half.pending?.full && half.pending.afterId > 0, 'a pull to resume');

    const second = pull(owner.addr);
    const done = (await until(second, (l) => 'pulled' in l, 120_000)).pulled as { resumed: boolean; entries: number };
    assert.equal(done.resumed, true);
    assert.ok(done.entries < FILES + FOLDERS, `only the rest came: ${done.entries}`);
    assert.equal(await within('the puller exits', 10_000, second.exit), 0);
    assert.deepEqual(counts(), { files: FILES, dirs: FOLDERS, contents: FILES, pending: null });
    owner.child.kill('SIGTERM');
    await within('the owner stops', 10_000, owner.exit);
  });

  it('the owner killed mid-backfill: the next pull, once it is back, goes on from the last page', async () => {
    // Start over from nothing (as a device that never pulled).
    const lib = new Installation({ dataDir: B.data }).openLibrary(B.root);
    new PeerLibrary(lib).removeDevice(ownerUuid);
    lib.close();

    const owner = await serve();
    const first = pull(owner.addr);
    // Killed once a batch of pages is committed (pages are committed a couple of seconds at a time).
    await until(first, (l) => l.committed === true, 60_000);
    owner.child.kill('SIGKILL');
    assert.equal(await within('the puller gives up', 90_000, first.exit), 1);
    assert.ok(counts().pending, 'a pull to resume');

    const back = await serve();
    const second = pull(back.addr);
    const done = (await until(second, (l) => 'pulled' in l, 120_000)).pulled as { resumed: boolean };
    assert.equal(done.resumed, true);
    assert.equal(await within('the puller exits', 10_000, second.exit), 0);
    assert.deepEqual(counts(), { files: FILES, dirs: FOLDERS, contents: FILES, pending: null });
    back.child.kill('SIGTERM');
    await within('the owner stops', 10_000, back.exit);
  });
});
