import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { PeerNode } from '../../src/sync/net/peer-node.js';
import { MessageChannel } from '../../src/sync/net/message-channel.js';
import { VSS_BIN, json, tempDir, within } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

interface Status { peer_id: string; listen: string[] }

/**
 * What a device that was never paired gets from a daemon: nothing. And a pairing code that
 * expired is refused. Real daemons on loopback; the stranger is a real libp2p node with its own key.
 */
describe('sync refusals between real processes', () => {
  const tmp = tempDir('vss-sync-refuse-');
  const envA = { VSS_DATA_DIR: join(tmp.path, 'a'), VSS_PAIRING_TTL_MS: '1500' };
  const envB = { VSS_DATA_DIR: join(tmp.path, 'b') };
  after(async () => {
    await Promise.all([runCli(['daemon', 'stop'], envA), runCli(['daemon', 'stop'], envB)]);
    tmp.cleanup();
  });

  it('an unpaired device is refused every protocol; an expired code is refused', async () => {
    assert.equal((await runCli(['library', 'create', 'Solo', '--path', tmp.path], envA)).code, 0);
    assert.equal((await runCli(['daemon', 'start', '--listen', '/ip4/127.0.0.1/tcp/0'], envA)).code, 0);
    const a = json<Status>(await runCli(['daemon', 'status', '--json'], envA));

    const stranger = await PeerNode.start({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], admit: () => true, isPaired: () => true });
    try {
      for (const protocol of ['availability', 'fetch', 'pair'] as const) {
        await assert.rejects(async () => {
          const stream = await stranger.open(a.listen[0]!, protocol, AbortSignal.timeout(5000));
          const ch = new MessageChannel(stream, 64 * 1024);
          await ch.send({ t: 'pull', library_id: '00000000-0000-4000-8000-000000000000', epoch: null, seq: 0 });
          await ch.receive(AbortSignal.timeout(5000));
        }, `the stranger gets nothing over ${protocol}`);
      }
    } finally {
      await stranger.stop();
    }

    // A code lives 1.5 s here (VSS_PAIRING_TTL_MS): joining after that fails on both sides.
    const starter = spawn(process.execPath, [VSS_BIN, 'pair', 'start', '--json'], { env: { ...process.env, ...envA }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    starter.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => starter.on('exit', (c) => r(c)));
    const first = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no code within 20 s: ${stderr}`)), 20_000);
      createInterface({ input: starter.stdout }).once('line', (l) => {
        clearTimeout(t);
        resolve(l);
      });
    });
    const code = (JSON.parse(first) as { code: string }).code.split(' ');
    assert.equal(await within('pair start ends once its code expires', 30_000, exited), 1, 'pair start ends with a failure when its code expires');
    assert.match(stderr, /expired/);
    assert.equal((await runCli(['daemon', 'start', '--listen', '/ip4/127.0.0.1/tcp/0'], envB)).code, 0);
    const late = await runCli(['pair', 'join', ...code, '--peer', a.listen[0]!], envB);
    assert.equal(late.code, 1, 'an expired code is refused');
    assert.deepEqual(json<unknown[]>(await runCli(['devices', 'list', '--json'], envA)), []);
    assert.deepEqual(json<unknown[]>(await runCli(['devices', 'list', '--json'], envB)), []);

    // Ctrl-C on `pair start` cancels its code: it says so, and the code no longer works.
    const again = spawn(process.execPath, [VSS_BIN, 'pair', 'start', '--json'], { env: { ...process.env, ...envA, VSS_PAIRING_TTL_MS: '60000' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let againErr = '';
    again.stderr.on('data', (d: Buffer) => (againErr += d.toString()));
    const againExit = new Promise<number | null>((r) => again.on('exit', (c) => r(c)));
    const line = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no code within 20 s: ${againErr}`)), 20_000);
      createInterface({ input: again.stdout }).once('line', (l) => {
        clearTimeout(t);
        resolve(l);
      });
    });
    again.kill('SIGINT');
    assert.equal(await within('pair start ends on Ctrl-C', 30_000, againExit), 130);
    assert.match(againErr, /pairing cancelled/);
    const cancelled = await runCli(['pair', 'join', ...(JSON.parse(line) as { code: string }).code.split(' '), '--peer', a.listen[0]!], envB);
    assert.equal(cancelled.code, 1, 'a cancelled code is refused');
  });
});
