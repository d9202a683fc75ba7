import type { Command } from 'commander';
import type { DaemonStatus } from '../../api/index.js';
import { UsageError } from '../../core/errors.js';
import { formatBytes } from '../../core/format.js';
import { checkListenAddresses, appDataDir, resolveDataDir, daemonPaths, DEFAULT_LAN_PORT } from '../../api/words.js';
import type { DeviceSettingsApi } from '../../api/index.js';
import { globals } from '../context.js';
import { displayPath, formatDuration, printJson, printLine, warn } from '../output.js';
import { onStopSignal } from '../signals.js';
import { parseBytes } from '../parse.js';

function parsePort(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new UsageError(`--port must be a port number 0-65535 (0: any free port), not ${JSON.stringify(v)}`);
  return n;
}

/** `--listen default`: forget the kept addresses (the relay's `--no-relay`, for a setting with a value). */
const LISTEN_DEFAULT = 'default';

function collectListen(v: string, acc: string[]): string[] {
  if (v !== LISTEN_DEFAULT && !v.startsWith('/')) throw new UsageError(`--listen takes a multiaddr such as /ip4/0.0.0.0/tcp/4001 (or "default"), not ${JSON.stringify(v)}`);
  return [...acc, v];
}

/** `--listen` as given, checked before anything is kept: 'default' alone, or addresses vss can listen on. */
async function checkListen(given: string[]): Promise<void> {
  if (given.includes(LISTEN_DEFAULT)) {
    if (given.length > 1) throw new UsageError('--listen default goes alone: it forgets the kept addresses (every interface, any free port again)');
    return;
  }
  await checkListenAddresses(given);
}

/**
 * Keep the `--listen` given (it replaces what was kept; `default` forgets it), as `--relay` is
 * kept: a device found at the address others remember must come back there. What to pass on to
 * the daemon: the addresses given, or none (it listens where it was kept, else the default).
 */
async function keepListen(dataDir: string, given: string[]): Promise<string[]> {
  if (given.length === 0) return [];
  if (given.includes(LISTEN_DEFAULT)) {
    await (await settingsOf(dataDir)).setListen('default');
    return [];
  }
  return (await settingsOf(dataDir)).setListen(given);
}

function parseLines(v: string): number {
  if (!/^\d+$/.test(v)) throw new UsageError(`--lines must be a whole number, not ${JSON.stringify(v)}`);
  return Number(v);
}

function dataDirOf(cmd: Command): string {
  return resolveDataDir(globals(cmd).dataDir);
}

/** How a data dir is named in lists: its instance, `default`, or its path. */
function nameOf(s: DaemonStatus): string {
  return s.instance ?? (s.data_dir === appDataDir() ? 'default' : displayPath(s.data_dir));
}

/** The daemon's parts and this device's settings, loaded when a command runs (not to parse the command line). */
const daemonParts = () => import('../../daemon/index.js');
const daemonStatusParts = () => import('../../api/remote/status.js');
const settingsOf = async (dataDir: string): Promise<DeviceSettingsApi> => new (await import('../../api/device-settings.js')).DeviceSettingsApi(dataDir);

async function printStatus(s: DaemonStatus): Promise<void> {
  if (!s.running) return printLine(`The daemon is not running (data dir ${displayPath(s.data_dir)}).`);
  if (s.http === null) return printLine(`The daemon is starting (pid ${s.pid}, data dir ${displayPath(s.data_dir)}).`);
  printLine(`The daemon runs (pid ${s.pid}).`);
  printLine(`  data dir: ${displayPath(s.data_dir)}${s.instance !== null ? ` (instance ${s.instance})` : ''}`);
  printLine(`  socket:   ${displayPath(s.socket ?? '')}`);
  printLine(`  http:     ${s.http}`);
  const box = (await daemonParts()).readBoxWeb(s.data_dir);
  const boxUrl = box ? s.web_urls.find((u) => u.startsWith(`https://${box.name.includes(':') ? `[${box.name}]` : box.name}:`)) : undefined;
  for (const url of s.web_urls.filter((u) => !u.startsWith(`${s.http}/`) && u !== boxUrl)) printLine(`  network:  ${url}`);
  if (s.tls_fingerprint !== null) printLine(`  cert:     ${s.tls_fingerprint} (SHA-256: compare with what the phone's browser shows)`);
  if (s.web_urls.some((u) => u.startsWith('http://') && !u.startsWith(`${s.http}/`))) printLine(`  note:     ${(await daemonParts()).LAN_HTTP_WARNING}`);
  if (s.peer_id !== null) printLine(`  peer id:  ${s.peer_id}`);
  for (const a of s.listen) printLine(`  listen:   ${a}`);
  for (const a of s.listen_kept) printLine(`  kept:     --listen ${a} (at every start; \`--listen default\` forgets it)`);
  const settings = await settingsOf(s.data_dir);
  if (settings.relay()) {
    const rate = settings.relayRate();
    printLine(`  relay:    for the devices paired with this one${rate === null ? '' : `, within ${formatBytes(rate)}/s`}`);
    // Devices behind a NAT reach the box only where they remember it; it cannot dial them.
    if (!s.listen_kept.some(hasFixedPort)) printLine('  note:     its port changes at each start, and devices elsewhere will not find it again: give it one, e.g. --listen /ip4/0.0.0.0/tcp/4001 (kept)');
  }
  if (box) printLine(`  box web:  ${boxUrl ?? `https://${box.name}:${box.port}/ui/`} (browsers away from home${settings.relay() ? '' : '; off: the device does not relay (--relay)'})`);
  if (settings.upnp()) printLine('  upnp:     the port mapped on the router (its public address listed once another device confirmed it)');
  for (const r of s.removed_from) printLine(`  removed:  from ${r.library} by ${r.by} on ${r.at.slice(0, 16).replace('T', ' ')} UTC: its members refuse this device (pair again with one that may admit to rejoin)`);
  printLine(`  logs:     ${displayPath(daemonPaths(s.data_dir).log)}`);
}

function hasFixedPort(addr: string): boolean {
  return !/\/tcp\/0$/.test(addr);
}

/** `daemon status` when no daemon runs: the LSB status code for "program is not running" (systemctl, pg_ctl). */
const EXIT_NOT_RUNNING = 3;

export function registerDaemonCommands(program: Command): void {
  const daemon = program
    .command('daemon')
    .description('the long-running process of a data dir: owns the libraries, serves the local API (one per data dir)');

  daemon
    .command('start')
    .description('start the daemon in the background (or in this terminal with --foreground)')
    .option('--foreground', 'run in this process until stopped (Ctrl-C, SIGTERM)')
    .option('--port <n>', 'the API\'s TCP port on 127.0.0.1 (default: any free port, see `daemon status`)', parsePort)
    .option('--listen <multiaddr>', 'a P2P address to listen on, e.g. /ip4/0.0.0.0/tcp/4001 (repeatable; kept: later starts listen there too, until another --listen; "default": every interface, any free port, once a device is paired)', collectListen, [] as string[])
    .option('--relay', 'relay for the devices paired with this one, so they reach each other from other networks (kept: a device setting)')
    .option('--no-relay', 'stop relaying (kept)')
    .option('--relay-rate <bytes>', 'bytes a second the relay carries for all devices together, e.g. 5M (5 MB/s), or "unlimited" (kept)')
    .option('--upnp', 'map the daemon\'s port on the router (UPnP) so devices elsewhere reach this one directly (kept: a device setting)')
    .option('--no-upnp', 'stop mapping the port (kept)')
    .option('--lan', 'serve the web app to the home network too, over HTTPS, for phones and other browsers paired with `vss ui pair` (kept: a device setting)')
    .option('--no-lan', 'serve the web app on this machine only (kept)')
    .option('--lan-port <n>', `the web app's port on the home network (kept; default ${DEFAULT_LAN_PORT})`, parsePort)
    .option('--lan-http', 'serve the home network plain HTTP instead of HTTPS (anyone on it can read what is sent; kept)')
    .option('--tls-cert <file>', 'your own certificate (PEM) for the home network instead of the one vss makes (kept, with --tls-key)')
    .option('--tls-key <file>', 'the key (PEM) of --tls-cert')
    .option('--box-web <port>', 'as the relay box: serve the web app over HTTPS on PORT to browsers away from home, and carry their connections to their home device (kept; with --box-cert/--box-key)', parsePort)
    .option('--no-box-web', 'stop serving browsers away from home (kept)')
    .option('--box-cert <file>', 'the certificate (PEM) of the name browsers open the box at, e.g. from Let\'s Encrypt (kept, with --box-key)')
    .option('--box-key <file>', 'the key (PEM) of --box-cert')
    .option('--box-name <host>', 'the name browsers open the box at (default: the first the certificate names; kept)')
    .action(async function (this: Command, opts: { foreground?: boolean; port?: number; listen: string[]; relay?: boolean; relayRate?: string; upnp?: boolean; lan?: boolean; lanPort?: number; lanHttp?: boolean; tlsCert?: string; tlsKey?: string; boxWeb?: number | false; boxCert?: string; boxKey?: string; boxName?: string }) {
      await checkListen(opts.listen);
      const dataDir = dataDirOf(this);
      (await daemonParts()).keepLanFlags(dataDir, opts);
      const { lanWarnings, LAN_HTTP_WARNING } = await daemonParts();
      // Plain HTTP is said in the status printed below (a note), or here when the status is JSON.
      for (const w of lanWarnings(dataDir)) if (w !== LAN_HTTP_WARNING || globals(this).json) warn(w);
      (await daemonParts()).keepBoxWebFlags(dataDir, opts);
      if (opts.relay !== undefined) (await settingsOf(dataDir)).setRelay(opts.relay);
      if (opts.relayRate !== undefined) (await settingsOf(dataDir)).setRelayRate(opts.relayRate === 'unlimited' ? null : parseBytes(opts.relayRate, '--relay-rate'));
      if (opts.upnp !== undefined) (await settingsOf(dataDir)).setUpnp(opts.upnp);
      const listen = await keepListen(dataDir, opts.listen);
      const json = globals(this).json;
      const { BACKGROUND_ENV, runDaemon, startDaemon } = await daemonParts();
      if (!opts.foreground) {
        const status = await startDaemon({ dataDir, ...(opts.port !== undefined ? { port: opts.port } : {}), listen });
        if (json) return printJson(status);
        return await printStatus(status);
      }
      const handle = await runDaemon({ dataDir, ...(opts.port !== undefined ? { port: opts.port } : {}), listen });
      // The first stop signal winds down; a second one exits at once (the CLI's default).
      onStopSignal(() => void handle.stop('signal'));
      // Started by `daemon start` in the background, stdout is the log: the banner is for a terminal.
      if (process.env[BACKGROUND_ENV] !== '1') {
        const status = (await daemonStatusParts()).daemonStatus(dataDir);
        if (json) printJson(status);
        else await printStatus(status);
      }
      const code = await handle.stopped;
      // The daemon is this whole process: once it has stopped, nothing else may keep it up.
      process.exit(code);
    });

  daemon
    .command('stop')
    .description('stop the daemon (it finishes the writes under way; at most ~10 s)')
    .action(async function (this: Command) {
      const r = await (await daemonParts()).stopDaemon(dataDirOf(this));
      if (globals(this).json) return printJson(r);
      // Not running is success: the state asked for holds, and scripts may stop unconditionally.
      if (!r.was_running) return printLine(`The daemon is not running (data dir ${displayPath(r.data_dir)}).`);
      printLine(`Stopped the daemon (pid ${r.pid}) in ${formatDuration(r.duration_ms)}.`);
    });

  daemon
    .command('status')
    .description('whether the daemon runs, and where it answers (exit 3 when it does not, as systemctl status; --json says so and exits 0)')
    .action(async function (this: Command) {
      const s = (await daemonStatusParts()).daemonStatus(dataDirOf(this));
      if (globals(this).json) return printJson(s);
      await printStatus(s);
      if (!s.running) process.exitCode = EXIT_NOT_RUNNING;
    });

  daemon
    .command('list')
    .description('the default data dir and every instance, each with its daemon')
    .action(async function (this: Command) {
      const list = (await daemonStatusParts()).listDaemons(dataDirOf(this));
      if (globals(this).json) return printJson(list);
      for (const s of list) {
        const state = !s.running ? 'stopped' : s.http === null ? `starting  pid ${s.pid}` : `running   pid ${s.pid}  ${s.http}`;
        printLine(`${nameOf(s).padEnd(16)}  ${state}  ${displayPath(s.data_dir)}`);
      }
    });

  daemon
    .command('logs')
    .description('the daemon\'s log (daemon.log in the data dir)')
    .option('--follow', 'keep printing what is added, until Ctrl-C')
    .option('--lines <n>', 'how many of the last lines to print first', parseLines, 50)
    .action(async function (this: Command, opts: { follow?: boolean; lines: number }) {
      const file = daemonPaths(dataDirOf(this)).log;
      const raw = globals(this).json;
      const { followLog, formatLogLine, tailLog } = await daemonParts();
      const show = (line: string) => printLine(raw ? line : formatLogLine(line));
      const { lines, size } = tailLog(file, opts.lines);
      if (size === 0 && !opts.follow) process.stderr.write(`vss: no daemon log yet: ${displayPath(file)}\n`);
      for (const line of lines) show(line);
      if (opts.follow) await followLog(file, size, show, new AbortController().signal);
    });
}
