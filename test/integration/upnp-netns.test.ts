/**
 * Issue 29 item 3, a mapped port: the laptop's home router runs miniupnpd (a real UPnP IGD, in
 * the router's namespace); `vss daemon start --upnp` maps the daemon's port there, the relay box
 * dials it back (/vss/dialback), the laptop then advertises the public address, and the desktop in
 * the other home reaches the laptop by that direct path, not the relay. On stop the mapping is
 * removed. The "internet" here is 16.1.1.0/24, inside the test's namespaces only: UPnP and AutoNAT
 * take documentation ranges for private addresses.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { json, tempDir, until } from '../helpers.js';
import { homesCli, makeTwoHomes, twoHomesSkipReason, type Host, type TwoHomes } from '../net/two-homes.js';

interface Status { running: boolean; pid: number | null; peer_id: string; listen: string[] }
interface Device { name: string; reached: string | null }

const RELAY_PORT = 4001;
const INTERNET = '16.1.1';
const SUBNET = 238;

function skipReason(): string | false {
  const homes = twoHomesSkipReason();
  if (homes) return homes;
  const r = spawnSync('miniupnpd', ['--version'], { encoding: 'utf8' });
  return r.error ? 'miniupnpd is not installed (apt-get install miniupnpd-iptables): the mapped-port test needs a real UPnP router' : false;
}

describe('a port mapped with UPnP on a real router (miniupnpd in a namespace)', { skip: skipReason(), timeout: 300_000 }, () => {
  const tmp = tempDir('vss-upnp-');
  let net: TwoHomes;
  let upnpd: ChildProcess | undefined;
  let upnpLog = '';
  const env: Record<'relay' | 'a' | 'b', Record<string, string>> = {
    relay: { VSS_DATA_DIR: join(tmp.path, 'relay') },
    a: { VSS_DATA_DIR: join(tmp.path, 'laptop'), ...(process.env.VSS_DEBUG_UPNP ? { DEBUG: 'libp2p:upnp*' } : {}) },
    b: { VSS_DATA_DIR: join(tmp.path, 'desktop') },
  };
  const { ok, pairByInvite, nameDevicesAndStartRelay, stopAll } = homesCli(() => net, env);
  const status = async (host: Host) => json<Status>(await ok(host, ['daemon', 'status', '--json']));
  const inRouter = (...args: string[]): string => execFileSync('ip', ['netns', 'exec', net.router.a, ...args], { encoding: 'utf8' });
  // miniupnpd-iptables writes through libiptc: the legacy tables (Debian's `iptables` is the nft one).
  const mappings = (): string => inRouter('iptables-legacy', '-t', 'nat', '-S', 'MINIUPNPD');

  /** miniupnpd in the router's namespace: speaking UPnP and NAT-PMP, or NAT-PMP only. */
  const startRouterDaemon = async (o: { upnp: boolean }) => {
    const conf = join(tmp.path, 'miniupnpd.conf');
    writeFileSync(conf, [
      'ext_ifname=wan', 'listening_ip=lan', 'port=0', `enable_upnp=${o.upnp ? 'yes' : 'no'}`, 'enable_natpmp=yes', 'secure_mode=yes',
      'system_uptime=yes', 'uuid=3d3cec3a-8cf0-11e0-98ee-001a6bd2d07b', 'ext_perform_stun=no',
      `allow 1024-65535 10.${SUBNET}.1.0/24 1024-65535`, 'deny 0-65535 0.0.0.0/0 0-65535', '',
    ].join('\n'));
    upnpLog = '';
    upnpd = spawn('ip', ['netns', 'exec', net.router.a, 'miniupnpd', '-d', '-f', conf, '-P', join(tmp.path, 'miniupnpd.pid')], { stdio: ['ignore', 'ignore', 'pipe'] });
    upnpd.stderr!.on('data', (d: Buffer) => (upnpLog += d.toString()));
    await until('miniupnpd listening', 10_000, async () => (/HTTP listening on port|Listening for NAT-PMP/.test(upnpLog) ? true : undefined));
  };

  before(async () => {
    net = makeTwoHomes('up', SUBNET, { internet: INTERNET });
    // (The router's own firewall (nft) lets nothing in yet: the first test's router maps a port but forwards nothing.)
    // The chains miniupnpd adds its rules to (what its iptables_init.sh makes), ahead of the router's own.
    inRouter('iptables-legacy', '-t', 'nat', '-N', 'MINIUPNPD');
    inRouter('iptables-legacy', '-t', 'nat', '-I', 'PREROUTING', '-i', 'wan', '-j', 'MINIUPNPD');
    inRouter('iptables-legacy', '-t', 'filter', '-N', 'MINIUPNPD');
    inRouter('iptables-legacy', '-t', 'filter', '-I', 'FORWARD', '-i', 'wan', '!', '-o', 'wan', '-j', 'MINIUPNPD');
    inRouter('iptables-legacy', '-t', 'nat', '-N', 'MINIUPNPD-POSTROUTING');
    inRouter('iptables-legacy', '-t', 'nat', '-I', 'POSTROUTING', '-o', 'wan', '-j', 'MINIUPNPD-POSTROUTING');
    await startRouterDaemon({ upnp: true });

    await nameDevicesAndStartRelay(join(tmp.path, 'a-libs'), RELAY_PORT);
    await ok('b', ['daemon', 'start']);
  });

  after(async () => {
    if (net) await stopAll();
    if (upnpd?.pid !== undefined && upnpd.exitCode === null) process.kill(upnpd.pid, 'SIGKILL');
    net?.remove();
    tmp.cleanup();
  });

  const log = (host: 'relay' | 'a' | 'b') => readFileSync(join(env[host].VSS_DATA_DIR!, 'daemon.log'), 'utf8');
  const publicAddrOf = async (host: Host) => (await status(host)).listen.find((x) => x.startsWith(`/ip4/${net.wan.a}/tcp/`));

  it('does not announce a port the router maps but forwards nothing: the box could not dial it back', async () => {
    const started = await ok('a', ['daemon', 'start', '--upnp']);
    assert.match(started.stdout, /upnp: +the port mapped on the router/);
    await pairByInvite('relay', 'a');
    await pairByInvite('relay', 'b');
    await until('the router holds a mapping', 30_000, async () => (/DNAT/.test(mappings()) ? true : undefined), 300);
    await until('the laptop heard that no device reached its mapped port', 30_000, async () => (/no paired device reached this one at its mapped port/.test(log('a')) ? true : undefined), 500);
    assert.equal(await publicAddrOf('a'), undefined, 'the mapped address is not announced');
  });

  it('announces the mapped address once the box dialled it back, and the other home reaches it directly', async () => {
    // The router's own firewall (nft) now lets in what a port mapping sends in, as a home router does.
    inRouter('iptables', '-I', 'FORWARD', '-i', 'wan', '-m', 'conntrack', '--ctstate', 'DNAT', '-j', 'ACCEPT');
    await ok('a', ['daemon', 'stop']);
    await ok('a', ['daemon', 'start']);
    const laptopId = (await status('a')).peer_id;
    const publicAddr = await until('the laptop lists its public (mapped) address', 60_000, () => publicAddrOf('a'), 500).catch(async (err) => {
      if (process.env.VSS_DEBUG_UPNP) console.log(mappings(), JSON.stringify(await status('a')), execFileSync('grep', ['upnp', join(env.a.VSS_DATA_DIR!, 'daemon.log')], { encoding: 'utf8' }));
      throw err;
    });
    assert.match(log('a'), /a paired device reached this one at its mapped port: announced/);
    const port = /\/tcp\/(\d+)/.exec(publicAddr)![1]!;
    // (iptables-legacy prints the DNAT target's revision as unsupported: the port is what it shows.)
    assert.match(mappings(), new RegExp(`--dport ${port} -j DNAT`), 'the router holds the mapping');
    assert.equal(publicAddr, `/ip4/${net.wan.a}/tcp/${port}/p2p/${laptopId}`);

    // The desktop in the other home pairs by the laptop's invite, which carries the public address, and reaches it directly.
    await pairByInvite('a', 'b');
    const laptop = await until('the desktop reaches the laptop directly', 60_000, async () => json<Device[]>(await ok('b', ['devices', 'list', '--json'])).find((d) => d.name === 'Laptop' && d.reached === 'direct'), 500);
    assert.equal(laptop.reached, 'direct');
  });

  it('removes the mapping when the daemon stops', async () => {
    assert.match(mappings(), /DNAT/);
    await ok('a', ['daemon', 'stop']);
    await until('the mapping removed from the router', 15_000, async () => (/DNAT/.test(mappings()) ? undefined : true), 300);
  });

  it('maps the port with NAT-PMP where the router speaks no UPnP, and removes it on stop', async () => {
    const was = upnpd!;
    const gone = new Promise((res) => was.once('exit', res));
    process.kill(was.pid!, 'SIGTERM');
    await gone;
    await startRouterDaemon({ upnp: false });
    assert.doesNotMatch(mappings(), /DNAT/);
    await ok('a', ['daemon', 'start']);
    const publicAddr = await until('the laptop lists its public address, mapped with NAT-PMP', 60_000, () => publicAddrOf('a'), 500);
    const port = /\/tcp\/(\d+)/.exec(publicAddr)![1]!;
    assert.match(mappings(), new RegExp(`--dport ${port} -j DNAT`), 'the router holds the NAT-PMP mapping');
    await ok('a', ['daemon', 'stop']);
    await until('the NAT-PMP mapping removed from the router', 15_000, async () => (/DNAT/.test(mappings()) ? undefined : true), 300);
  });
});
