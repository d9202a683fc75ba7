/**
 * Two homes behind NAT and a relay on a "public" segment, in network namespaces the test makes
 * (the recipe in ../shared/notes/reach-beyond-the-lan.md): home A's device and home B's device
 * each sit behind a Linux MASQUERADE router on its own private LAN; the routers and the relay
 * share one "internet" bridge; nothing routes from one home into the other, so the two devices
 * reach each other only through the relay. Every address lives inside these namespaces.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { pairingCodeOf, within, VSS_BIN, type CliResult } from '../helpers.js';
import { deviceCli, netnsSkipReason, spawnInNs } from './netns.js';

/** The box, the laptop (home A), the desktop (home B), and with `fourth`, a NAS beside the desktop in home B (its own LAN port). */
export type Host = 'relay' | 'a' | 'b' | 'c';

export interface TwoHomes {
  /** The namespace each host runs in (`c` only when asked for). */
  ns: Record<Host, string>;
  /** Each host's own address: the relay's is public, the devices' are private LAN ones. */
  addr: Record<Host, string>;
  /** Each home's router's namespace. */
  router: { a: string; b: string };
  /** The public address of each home's router (what the relay sees a device come from). */
  wan: { a: string; b: string };
  /** Take the relay's link down (its box unplugged) or up again. */
  relayLink(up: boolean): void;
  /**
   * Carry the laptop (host a) to another network: home B's (a second LAN port of B's router, so
   * the two devices are a route apart, both behind the same NAT), or back home. Its old link and
   * address are gone at once, as when Wi-Fi changes. Returns its new address.
   */
  moveLaptop(to: 'a' | 'b'): string;
  /** Delete every namespace made. */
  remove(): void;
}

export function twoHomesSkipReason(): string | false {
  const ns = netnsSkipReason();
  if (ns) return ns;
  const r = spawnSync('iptables', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return 'iptables is not installed (the homes\' NAT needs it: apt-get install iptables)';
  return false;
}

const run = (cmd: string, ...args: string[]): void => void execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
const ip = (...args: string[]): void => run('ip', ...args);

/** Plug DEVICE's eth0 into ROUTER's LAN port PORT, as PREFIX.2 behind PREFIX.1. */
function plug(device: string, router: string, port: string, prefix: string): void {
  ip('link', 'add', port, 'netns', router, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', device);
  ip('-n', router, 'addr', 'add', `${prefix}.1/24`, 'dev', port);
  ip('-n', router, 'link', 'set', port, 'up');
  ip('-n', device, 'addr', 'add', `${prefix}.2/24`, 'dev', 'eth0');
  ip('-n', device, 'link', 'set', 'eth0', 'up');
  ip('-n', device, 'route', 'add', 'default', 'via', `${prefix}.1`);
}

/** Make the topology. NAME (a few letters) and SUBNET (10.SUBNET.1.0/24 and 10.SUBNET.2.0/24 for the homes) keep tests apart. */
export function makeTwoHomes(name: string, subnet: number, opts: { symmetricB?: boolean; internet?: string; fourth?: boolean } = {}): TwoHomes {
  const tag = `${process.pid}`.slice(-5);
  const n = (role: string): string => `vss-${name}-${role}-${tag}`;
  const inet = n('inet');
  const ns = { relay: n('relay'), a: n('a'), b: n('b'), c: n('c') };
  const router = { a: n('nata'), b: n('natb') };
  const all = [inet, ns.relay, router.a, router.b, ns.a, ns.b, ...(opts.fourth ? [ns.c] : [])];
  // The "internet": a documentation range by default; a test of public-address logic (UPnP,
  // AutoNAT), which takes documentation ranges for private ones, names another, used only here.
  const inetPrefix = opts.internet ?? '198.51.100';
  const wan = { a: `${inetPrefix}.1`, b: `${inetPrefix}.2` };
  const addr = { relay: `${inetPrefix}.10`, a: `10.${subnet}.1.2`, b: `10.${subnet}.2.2`, c: `10.${subnet}.4.2` };
  const remove = (): void => {
    for (const x of all) spawnSync('ip', ['netns', 'del', x]);
  };
  // A killed run of a process whose pid ended alike left these names behind: gone first.
  remove();
  try {
    for (const x of all) {
      ip('netns', 'add', x);
      ip('-n', x, 'link', 'set', 'lo', 'up');
    }
    ip('-n', inet, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', inet, 'link', 'set', 'br0', 'up');
    // One leg on the internet bridge: the relay's, and each router's WAN side.
    const onInternet = (peerNs: string, short: string, address: string): void => {
      ip('link', 'add', `w-${short}`, 'netns', inet, 'type', 'veth', 'peer', 'name', 'wan', 'netns', peerNs);
      ip('-n', inet, 'link', 'set', `w-${short}`, 'master', 'br0', 'up');
      ip('-n', peerNs, 'addr', 'add', `${address}/24`, 'dev', 'wan');
      ip('-n', peerNs, 'link', 'set', 'wan', 'up');
    };
    onInternet(ns.relay, 'relay', addr.relay);
    onInternet(router.a, 'a', wan.a);
    onInternet(router.b, 'b', wan.b);
    // A home: the router's LAN side and the device behind it, NAT out, nothing in but replies.
    for (const side of ['a', 'b'] as const) {
      const inRouter = (...args: string[]): void => run('ip', 'netns', 'exec', router[side], ...args);
      inRouter('sysctl', '-qw', 'net.ipv4.ip_forward=1');
      inRouter('iptables', '-t', 'nat', '-A', 'POSTROUTING', '-o', 'wan', '-j', 'MASQUERADE', ...(side === 'b' && opts.symmetricB ? ['--random-fully'] : []));
      inRouter('iptables', '-A', 'FORWARD', '-i', 'wan', '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT');
      inRouter('iptables', '-A', 'FORWARD', '-i', 'wan', '-j', 'DROP');
    }
    plug(ns.a, router.a, 'lan', `10.${subnet}.1`);
    plug(ns.b, router.b, 'lan', `10.${subnet}.2`);
    if (opts.fourth) plug(ns.c, router.b, 'lan3', `10.${subnet}.4`);
  } catch (err) {
    remove();
    throw err;
  }
  return {
    ns, router, addr, wan, remove,
    relayLink: (up) => ip('-n', ns.relay, 'link', 'set', 'wan', up ? 'up' : 'down'),
    moveLaptop: (to) => {
      ip('-n', ns.a, 'link', 'del', 'eth0');
      const prefix = to === 'a' ? `10.${subnet}.1` : `10.${subnet}.3`;
      plug(ns.a, router[to], to === 'a' ? 'lan' : 'lan2', prefix);
      return `${prefix}.2`;
    },
  };
}

/** The real CLI on each host of a TwoHomes, each with its own data dir in ENV (inside the host's namespace what needs it: deviceCli). */
export interface HomesCli {
  cli(host: Host, args: string[]): Promise<CliResult>;
  /** The CLI, asserted to exit 0 (the failure names the host, the command and its stderr). */
  ok(host: Host, args: string[]): Promise<CliResult>;
  /** HOST shows a code (`pair start --json`); JOINER joins it by the invite alone, wherever it is. */
  pairByInvite(host: Host, joiner: Host): Promise<void>;
  /**
   * The cast: "Home server" (relay: its daemon started relaying on RELAYPORT, no library),
   * "Laptop" (a: a library at LIBS, its daemon not started) and "Desktop" (b: no library).
   */
  nameDevicesAndStartRelay(libs: string, relayPort: number): Promise<void>;
  /** Stop every host's daemon; one that does not stop is killed, by the pid its own status gives. */
  stopAll(): Promise<void>;
}

/** NET: the topology, once made (the tests make it in `before`). */
export function homesCli(net: () => TwoHomes, env: Partial<Record<Host, Record<string, string>>>): HomesCli {
  const cli = (host: Host, args: string[]): Promise<CliResult> => deviceCli(net().ns[host], args, env[host]!);
  const ok = async (host: Host, args: string[]): Promise<CliResult> => {
    const r = await cli(host, args);
    assert.equal(r.code, 0, `${host}: vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const pairByInvite = async (host: Host, joiner: Host): Promise<void> => {
    const starter = spawnInNs(net().ns[host], [VSS_BIN, 'pair', 'start', '--json'], env[host]!);
    const exited = new Promise<number | null>((r) => starter.on('exit', (c) => r(c)));
    let out = '';
    starter.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await pairingCodeOf(starter, 30_000);
      const { invite } = JSON.parse(out.split('\n')[0]!) as { invite: string };
      assert.match(invite, /^vss-invite:/);
      await ok(joiner, ['pair', 'join', invite]);
      assert.equal(await within('pair start ends once paired', 30_000, exited), 0);
    } finally {
      if (starter.pid !== undefined && starter.exitCode === null && starter.signalCode === null) process.kill(starter.pid, 'SIGKILL');
    }
  };
  const nameDevicesAndStartRelay = async (libs: string, relayPort: number): Promise<void> => {
    await ok('relay', ['device', 'rename', 'Home server']);
    await ok('a', ['device', 'rename', 'Laptop']);
    await ok('b', ['device', 'rename', 'Desktop']);
    await ok('a', ['library', 'create', 'Home', '--path', libs]);
    await ok('relay', ['daemon', 'start', '--relay', '--listen', `/ip4/0.0.0.0/tcp/${relayPort}`]);
  };
  const stopAll = async (): Promise<void> => {
    for (const host of Object.keys(env) as Host[]) {
      await cli(host, ['daemon', 'stop']).catch(() => undefined);
      const left = await cli(host, ['daemon', 'status', '--json']).then((r) => JSON.parse(r.stdout) as { running: boolean; pid: number | null }).catch(() => undefined);
      if (left?.running && left.pid !== null) process.kill(left.pid, 'SIGKILL');
    }
  };
  return { cli, ok, pairByInvite, nameDevicesAndStartRelay, stopAll };
}
