import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO } from '../helpers.js';

const PEER_SCRIPT = join(REPO, 'dist', 'test', 'net', 'pair-peer.js');
const tag = `${process.pid}`.slice(-6);
const NS = { a: `vss-pa-${tag}`, b: `vss-pb-${tag}` };
const VETH = { a: `vpa${tag}`, b: `vpb${tag}` };
const ADDR = { a: '10.231.0.1', b: '10.231.0.2' };

function skipReason(): string | false {
  if (process.platform !== 'linux') return 'network namespaces are Linux only';
  if (process.getuid?.() !== 0) return 'needs root to make network namespaces (ip netns)';
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return `ip netns is unavailable: ${r.error?.message ?? r.stderr.trim()}`;
  return false;
}

const ip = (...args: string[]): void => void execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

function makeNamespaces(): void {
  ip('netns', 'add', NS.a);
  ip('netns', 'add', NS.b);
  ip('link', 'add', VETH.a, 'type', 'veth', 'peer', 'name', VETH.b);
  for (const side of ['a', 'b'] as const) {
    ip('link', 'set', VETH[side], 'netns', NS[side]);
    ip('-n', NS[side], 'addr', 'add', `${ADDR[side]}/24`, 'dev', VETH[side]);
    ip('-n', NS[side], 'link', 'set', VETH[side], 'up');
    ip('-n', NS[side], 'link', 'set', 'lo', 'up');
    // Without a multicast route mDNS finds nothing, silently (../shared/notes/p2p-on-node20.md).
    ip('-n', NS[side], 'route', 'add', '224.0.0.0/4', 'dev', VETH[side]);
  }
}

function deleteNamespaces(): void {
  for (const ns of [NS.a, NS.b]) spawnSync('ip', ['netns', 'del', ns]); // the veth pair goes with them
}

/** A peer process inside a namespace, its stdout read as JSON lines with a bounded wait for each. */
class PeerProcess {
  readonly child: ChildProcess;
  private readonly lines: unknown[] = [];
  private waiter: (() => void) | undefined;
  stderr = '';

  constructor(ns: string, args: string[]) {
    // `ip netns exec` execs node in place: this pid is the node process, and only it is killed.
    this.child = spawn('ip', ['netns', 'exec', ns, process.execPath, PEER_SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      this.lines.push(JSON.parse(line));
      this.waiter?.();
    });
    this.child.stderr!.on('data', (d: Buffer) => {
      if (this.stderr.length < 20_000) this.stderr += d.toString();
    });
    this.child.on('exit', () => this.waiter?.());
  }

  async next(ms: number): Promise<Record<string, unknown>> {
    const end = Date.now() + ms;
    while (this.lines.length === 0) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`peer exited (${this.child.exitCode ?? this.child.signalCode}): ${this.stderr}`);
      if (Date.now() >= end) throw new Error(`no line from the peer in ${ms} ms: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, Math.min(200, Math.max(1, end - Date.now())));
      });
      this.waiter = undefined;
    }
    return this.lines.shift() as Record<string, unknown>;
  }

  /** Exit code, or null when it did not exit in time. */
  async exited(ms: number): Promise<number | null> {
    const end = Date.now() + ms;
    while (this.child.exitCode === null && this.child.signalCode === null && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    return this.child.exitCode;
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null && this.child.pid !== undefined) process.kill(this.child.pid, 'SIGKILL');
  }
}

test('two devices in two network namespaces pair by mDNS alone', { skip: skipReason(), timeout: 120_000 }, async () => {
  const dirs = [mkdtempSync(join(tmpdir(), 'vss-pair-ns-')), mkdtempSync(join(tmpdir(), 'vss-pair-ns-'))] as const;
  const peers: PeerProcess[] = [];
  try {
    makeNamespaces();
    const host = new PeerProcess(NS.a, ['host', dirs[0], `/ip4/${ADDR.a}/tcp/0`]);
    peers.push(host);
    const opened = await host.next(30_000);
    assert.equal((opened.code as string[]).length, 12);
    // No address given: the joiner finds the host by mDNS over the veth pair.
    const joiner = new PeerProcess(NS.b, ['join', dirs[1], `/ip4/${ADDR.b}/tcp/0`, ...(opened.code as string[])]);
    peers.push(joiner);
    const joined = (await joiner.next(60_000)) as { joined?: { peer_id: string; library_id: string; device_id: string }; error?: string };
    assert.equal(joined.error, undefined, `joiner failed: ${joined.error} ${joiner.stderr}`);
    assert.equal(joined.joined?.peer_id, opened.peer_id);
    const paired = (await host.next(30_000)) as { paired?: { device_id: string; name: string } };
    assert.match(paired.paired?.name ?? '', /^join-\d+$/);
    for (const p of peers) assert.equal(await p.exited(15_000), 0, p.stderr);
  } finally {
    for (const p of peers) p.kill();
    deleteNamespaces();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});
