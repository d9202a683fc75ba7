import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { json, tempDir, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { pairDaemons } from '../sync-peers.js';

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0'];

interface Status { peer_id: string; listen: string[] }

/**
 * `vss daemon start --relay` (issue 29): real daemons, paired through the real CLI. The relay's
 * setting is kept; a device paired with it holds a slot there and lists its address through it.
 */
describe('a daemon that relays for its paired devices', () => {
  const tmp = tempDir('vss-relay-');
  const R = { VSS_DATA_DIR: join(tmp.path, 'relay') };
  const A = { VSS_DATA_DIR: join(tmp.path, 'laptop') };
  const status = async (env: Record<string, string>) => json<Status>(await runCli(['daemon', 'status', '--json'], env));

  before(async () => {
    assert.equal((await runCli(['device', 'rename', 'Home server'], R)).code, 0);
    assert.equal((await runCli(['device', 'rename', 'Laptop'], A)).code, 0);
    assert.equal((await runCli(['library', 'create', 'Home', '--path', join(tmp.path, 'libs')], A)).code, 0);
    const refused = await runCli(['daemon', 'start', '--relay', '--relay-rate', '10K', ...LOOPBACK], R);
    assert.equal(refused.code, 2, 'a budget a pairing could not get through is refused');
    assert.match(refused.stderr, /--relay-rate must be at least 64 KiB/);
    const started = await runCli(['daemon', 'start', '--relay', '--relay-rate', '5M', ...LOOPBACK], R);
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, /relay: +for the devices paired with this one, within 5\.0 MB\/s/);
    assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], A)).code, 0);
  });
  after(async () => {
    await Promise.all([runCli(['daemon', 'stop'], R), runCli(['daemon', 'stop'], A)]);
    tmp.cleanup();
  });

  it('keeps --relay and its budget as device settings', () => {
    const settings = JSON.parse(readFileSync(join(R.VSS_DATA_DIR, 'device-settings.json'), 'utf8')) as { relay?: boolean; relay_rate?: number };
    assert.equal(settings.relay, true);
    assert.equal(settings.relay_rate, 5_000_000);
  });

  it('gives a device paired with it a slot: the device lists its address through the relay', async () => {
    await pairDaemons(A, R);
    const relay = (await status(R)).peer_id;
    const relayed = await until('the laptop holds a slot on the relay', 20_000, async () => {
      const found = (await status(A)).listen.filter((a) => a.includes(`/p2p/${relay}/p2p-circuit/p2p/`));
      return found.length > 0 ? found : undefined;
    });
    assert.match(relayed[0]!, new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/\\d+/p2p/${relay}/p2p-circuit/p2p/${(await status(A)).peer_id}$`));
  });

  it('stops relaying with --no-relay, kept too', async () => {
    assert.equal((await runCli(['daemon', 'stop'], R)).code, 0);
    const started = await runCli(['daemon', 'start', '--no-relay', '--relay-rate', 'unlimited', ...LOOPBACK], R);
    assert.equal(started.code, 0, started.stderr);
    assert.doesNotMatch(started.stdout, /relay:/);
    const settings = JSON.parse(readFileSync(join(R.VSS_DATA_DIR, 'device-settings.json'), 'utf8')) as { relay?: boolean; relay_rate?: number };
    assert.equal(settings.relay, undefined);
    assert.equal(settings.relay_rate, undefined);
  });
});
