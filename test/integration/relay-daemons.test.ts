import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { json, tempDir, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { pairDaemons } from '../sync-peers.js';
import { freePort } from '../support/free-port.js';

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0'];

interface Status { peer_id: string; listen: string[]; listen_kept: string[] }

/** A TCP port free on loopback now (the kernel's pick, let go at once). */
const portOf = (addr: string) => Number(/\/tcp\/(\d+)/.exec(addr)![1]);

/**
 * `vss daemon start --relay` (issue 29): real daemons, paired through the real CLI. The relay's
 * setting is kept; a device paired with it holds a slot there and lists its address through it.
 */
describe('a daemon that relays for its paired devices', () => {
  const tmp = tempDir('vss-relay-');
  const R = { VSS_DATA_DIR: join(tmp.path, 'relay') };
  const A = { VSS_DATA_DIR: join(tmp.path, 'laptop') };
  const status = async (env: Record<string, string>) => json<Status>(await runCli(['daemon', 'status', '--json'], env));
  /** The box's fixed address, as a relay box's should be: devices behind NATs reach it only where they remember it. */
  let fixed = '';

  before(async () => {
    assert.equal((await runCli(['device', 'rename', 'Home server'], R)).code, 0);
    assert.equal((await runCli(['device', 'rename', 'Laptop'], A)).code, 0);
    assert.equal((await runCli(['library', 'create', 'Home', '--path', join(tmp.path, 'libs')], A)).code, 0);
    const refused = await runCli(['daemon', 'start', '--relay', '--relay-rate', '10K', ...LOOPBACK], R);
    assert.equal(refused.code, 2, 'a budget a pairing could not get through is refused');
    assert.match(refused.stderr, /--relay-rate must be at least 64 KiB/);
    fixed = `/ip4/127.0.0.1/tcp/${await freePort()}`;
    const started = await runCli(['daemon', 'start', '--relay', '--relay-rate', '5M', '--listen', fixed], R);
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

  it('stops relaying with --no-relay, kept too; a start without --listen listens where it was kept', async () => {
    assert.equal((await runCli(['daemon', 'stop'], R)).code, 0);
    const started = await runCli(['daemon', 'start', '--no-relay', '--relay-rate', 'unlimited'], R);
    assert.equal(started.code, 0, started.stderr);
    assert.doesNotMatch(started.stdout, /relay:/);
    const settings = JSON.parse(readFileSync(join(R.VSS_DATA_DIR, 'device-settings.json'), 'utf8')) as { relay?: boolean; relay_rate?: number; listen?: string[] };
    assert.equal(settings.relay, undefined);
    assert.equal(settings.relay_rate, undefined);
    // As after a reboot: the same port, so the devices that remember it find it again.
    const now = await status(R);
    assert.deepEqual(now.listen.map(portOf), [portOf(fixed)], JSON.stringify(now.listen));
    assert.deepEqual(now.listen_kept, [fixed]);
    assert.deepEqual(settings.listen, [fixed]);
    assert.match(started.stdout, new RegExp(`kept: +--listen ${fixed} `));
  });

  it('keeps --listen as it keeps --relay: given again it replaces what was kept; --listen default forgets it', async () => {
    const settings = () => JSON.parse(readFileSync(join(R.VSS_DATA_DIR, 'device-settings.json'), 'utf8')) as { listen?: string[] };
    const restart = async (...args: string[]) => {
      assert.equal((await runCli(['daemon', 'stop'], R)).code, 0);
      const started = await runCli(['daemon', 'start', ...args], R);
      assert.equal(started.code, 0, started.stderr);
      return started;
    };
    const refused = await runCli(['daemon', 'start', '--listen', 'default', '--listen', fixed], R);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--listen default goes alone/);
    assert.equal((await runCli(['daemon', 'start', '--listen', '/ip4/127.0.0.1/udp/1'], R)).code, 2);
    assert.deepEqual(settings().listen, [fixed], 'a refused --listen keeps what was kept');

    const other = `/ip4/127.0.0.1/tcp/${await freePort()}`;
    await restart('--listen', other);
    assert.deepEqual((await status(R)).listen_kept, [other]);
    assert.deepEqual((await status(R)).listen.map(portOf), [portOf(other)]);

    // Back to the default: every interface, any free port; nothing kept, and a relay says what that costs.
    const back = await restart('--relay', '--listen', 'default');
    assert.equal(settings().listen, undefined);
    const now = await status(R);
    assert.deepEqual(now.listen_kept, []);
    assert.ok(now.listen.length > 0 && !now.listen.some((a) => portOf(a) === portOf(other)), JSON.stringify(now.listen));
    assert.match(back.stdout, /its port changes at each start/);
  });
});
