import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { PeerNode } from '../../src/sync/net/peer-node.js';

const MiB = 1024 * 1024;

/**
 * js-libp2p's relay server pipes a circuit with `pipe(src, dst, src)`, which wrapped the hop
 * stream twice: the second wrapper queued every relayed byte where nobody reads it, held until the
 * circuit closed (src/sync/net/relay-circuits.ts takes it off). The relay in a process of its own,
 * so its memory is its own; 128 MiB sent through it twice over one circuit that stays open.
 */
describe('a relay holds nothing of what it relayed', () => {
  const child = spawn(process.execPath, ['--expose-gc', fileURLToPath(new URL('../support/relay-process.js', import.meta.url))], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const answer = async <T>(): Promise<T> => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    try {
      const l = await lines.next();
      if (l.done) throw new Error('the relay process ended');
      return JSON.parse(l.value) as T;
    } finally {
      clearTimeout(timer);
    }
  };
  const nodes: PeerNode[] = [];
  after(async () => {
    child.kill('SIGTERM');
    await Promise.all(nodes.map((n) => n.stop()));
  });

  it('holds no relayed bytes once they went through, while the circuit stays open', async () => {
    const { addr } = await answer<{ addr: string }>();
    const node = async () => PeerNode.start({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, admit: () => true, isPaired: () => true });
    const [a, b] = [await node(), await node()];
    nodes.push(a, b);
    let received = 0;
    let arrived = () => undefined as void;
    await b.handle('original', async (stream) => {
      for await (const chunk of stream) received += chunk.byteLength;
      arrived();
      await stream.close();
    });
    await b.reserveOn(addr);
    const held: number[] = [];
    for (let round = 0; round < 2; round++) {
      received = 0;
      const done = new Promise<void>((res) => { arrived = res; });
      const stream = await a.open(`${addr}/p2p-circuit/p2p/${b.peerId}`, 'original', AbortSignal.timeout(10_000));
      const chunk = new Uint8Array(256 * 1024);
      for (let i = 0; i < 512; i++) {
        if (!stream.send(chunk)) await stream.onDrain({ signal: AbortSignal.timeout(20_000) });
      }
      await stream.close({ signal: AbortSignal.timeout(20_000) });
      await done;
      assert.equal(received, 128 * MiB);
      assert.equal(a.pathTo(b.peerId), 'relay');
      child.stdin!.write('?\n');
      held.push((await answer<{ array_buffers: number }>()).array_buffers);
    }
    // Measured: 0–2 MiB with the fix; 290 MiB a round without it.
    assert.ok(Math.max(...held) < 32 * MiB, `the relay holds ${held.map((h) => Math.round(h / MiB)).join(', ')} MiB after each 128 MiB it relayed`);
  });
});
