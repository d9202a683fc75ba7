import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO } from '../helpers.js';
import { makeNetnsPair, netnsSkipReason, spawnInNs, type NetnsPair } from '../net/netns.js';

const PEER_SCRIPT = join(REPO, 'dist', 'test', 'net', 'pair-peer.js');

/** A peer process inside a namespace, its stdout read as JSON lines with a bounded wait for each. */
class PeerProcess {
  readonly child: ChildProcess;
  private readonly lines: unknown[] = [];
  private waiter: (() => void) | undefined;
  stderr = '';

  constructor(ns: string, args: string[]) {
    // `ip netns exec` execs node in place: this pid is the node process, and only it is killed.
    this.child = spawnInNs(ns, [PEER_SCRIPT, ...args], {});
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

test('two devices in two network namespaces pair by mDNS alone', { skip: netnsSkipReason(), timeout: 120_000 }, async () => {
  const dirs = [mkdtempSync(join(tmpdir(), 'vss-pair-ns-')), mkdtempSync(join(tmpdir(), 'vss-pair-ns-'))] as const;
  const peers: PeerProcess[] = [];
  let net: NetnsPair | undefined;
  try {
    net = makeNetnsPair('pm', 231);
    const { ns: NS, addr: ADDR } = net;
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
    net?.remove();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});
