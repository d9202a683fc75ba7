/**
 * Two hosts for tests: two network namespaces joined by a veth pair, each with its address and a
 * multicast route (without it mDNS finds nothing, silently: ../shared/notes/p2p-on-node20.md).
 * Traffic stays inside namespaces the test made. Linux and root only: `netnsSkipReason()` says
 * why not elsewhere.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { VSS_BIN, outputOf, type CliResult } from '../helpers.js';
import { cliHere } from '../support/cli-here.js';

export function netnsSkipReason(): string | false {
  if (process.platform !== 'linux') return 'network namespaces are Linux only';
  if (process.getuid?.() !== 0) return 'needs root to make network namespaces (ip netns)';
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return `ip netns is unavailable: ${r.error?.message ?? r.stderr.trim()}`;
  return false;
}

export interface NetnsPair {
  ns: { a: string; b: string };
  addr: { a: string; b: string };
  veth: { a: string; b: string };
  /** Take the link between them down (a cut) or up again. */
  link(up: boolean): void;
  /** Delete both namespaces (the veth pair goes with them). */
  remove(): void;
}

const ip = (...args: string[]): void => void execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** Make the pair; NAME (a few letters) and SUBNET (the third octet of 10.NNN.0.0/24) keep tests apart. */
export function makeNetnsPair(name: string, subnet: number): NetnsPair {
  const tag = `${process.pid}`.slice(-5);
  const ns = { a: `vss-${name}a-${tag}`, b: `vss-${name}b-${tag}` };
  const veth = { a: `v${name}a${tag}`, b: `v${name}b${tag}` };
  const addr = { a: `10.${subnet}.0.1`, b: `10.${subnet}.0.2` };
  const remove = (): void => {
    for (const n of [ns.a, ns.b]) spawnSync('ip', ['netns', 'del', n]);
  };
  // A killed run of a process whose pid ended alike left these names behind: gone first.
  remove();
  try {
    ip('netns', 'add', ns.a);
    ip('netns', 'add', ns.b);
    ip('link', 'add', veth.a, 'type', 'veth', 'peer', 'name', veth.b);
    for (const side of ['a', 'b'] as const) {
      ip('link', 'set', veth[side], 'netns', ns[side]);
      ip('-n', ns[side], 'addr', 'add', `${addr[side]}/24`, 'dev', veth[side]);
      ip('-n', ns[side], 'link', 'set', veth[side], 'up');
      ip('-n', ns[side], 'link', 'set', 'lo', 'up');
      ip('-n', ns[side], 'route', 'add', '224.0.0.0/4', 'dev', veth[side]);
    }
  } catch (err) {
    remove();
    throw err;
  }
  return {
    ns, addr, veth, remove,
    link: (up) => ip('-n', ns.a, 'link', 'set', veth.a, up ? 'up' : 'down'),
  };
}

/** `ip netns exec NS node ARGS…` (exec in place: the child's pid is node's). */
export function spawnInNs(ns: string, args: string[], env: Record<string, string | undefined>): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, process.execPath, ...args], {
    env: { ...process.env, VSS_LOG_LEVEL: undefined, VSS_LIBRARY: undefined, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The real CLI inside namespace NS, with its own data dir in ENV. */
export function cliInNs(ns: string, args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  return new Promise((res, rej) => {
    outputOf(spawnInNs(ns, [VSS_BIN, ...args], env)).then(res, rej);
  });
}

/**
 * The CLI of a device whose daemon lives in namespace NS: a call that starts the daemon (it is
 * the call's child, so in the call's namespace) or pairs (`pair start` answers, `pair join` dials,
 * each from a process of its own when no daemon runs) runs inside NS (cliInNs); any other runs in
 * this test's process (cliHere). It reaches the daemon through the daemon's unix socket, which no
 * network namespace separates, or the library on disk when none runs, and the polls of these
 * tests (`devices list`, `daemon status` every 150-500 ms while they wait) were mostly a node
 * process each, some 0.5 s of CPU.
 */
export function deviceCli(ns: string, args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  const [command, sub] = args.filter((a) => !a.startsWith('-'));
  const inNs = command === 'pair' || (command === 'daemon' && (sub === 'start' || sub === 'run'));
  return inNs ? cliInNs(ns, args, env) : cliHere(args, env);
}
