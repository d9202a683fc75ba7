import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import type { PairedInfo, PairingCodeInfo, VssClient } from '../../api/index.js';
import { VssError } from '../../core/errors.js';
import { checkPairJoin, checkPeerAddress, looksLikeInvite } from '../../api/words.js';
import { clientFor, daemonClientFor, globals } from '../context.js';
import { shortId } from '../../core/short-id.js';
import { deviceLine } from '../device-line.js';
import { displayPath, printJson, printJsonLine, printLine } from '../output.js';
import { onStopSignal } from '../signals.js';

/** The words as typed, one argument or several; the core checks them (count, word list, checksum). */
function wordsOf(args: string[]): string[] {
  return args.flatMap((a) => a.trim().split(/\s+/)).filter((w) => w !== '').map((w) => w.toLowerCase());
}

function printCode(c: PairingCodeInfo): void {
  const words = c.code.split(' ');
  const until = new Date(c.expires_at).toLocaleTimeString(undefined, { timeZoneName: 'short' });
  printLine(`Pairing code (one use, valid until ${until}):`);
  printLine('');
  printLine(`    ${words.slice(0, 6).join(' ')}`);
  printLine(`    ${words.slice(6).join(' ')}`);
  printLine('');
  printLine(`On the other device run:  vss pair join ${c.code}`);
  printLine('');
  printLine('From another network (through your relay, or an address this device has there), the invite:');
  printLine(`    vss pair join ${c.invite}`);
  printLine('Waiting for it... (Ctrl-C cancels the code)');
}

function printPaired(p: PairedInfo, joined: boolean): void {
  printLine(`Paired with ${p.name} (${p.device_id}).`);
  printLine(joined ? `This device now takes part in its library, now current: ${displayPath(p.library_path)}` : `It shares the library ${displayPath(p.library_path)}.`);
}

/**
 * Ask on the terminal for the name the other device will show for this one (Enter keeps the one
 * it has): a host name such as "vm" tells two devices apart badly. A name refused is asked again.
 */
async function askName(vss: Pick<VssClient, 'device' | 'renameDevice'>): Promise<void> {
  const now = (await vss.device()).name;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  // Ctrl-C at the question ends the command, as anywhere else (readline would only pause).
  rl.on('SIGINT', () => process.exit(130));
  try {
    for (;;) {
      const typed = (await rl.question(`Name of this device, as the other will show it [${now}]: `)).trim();
      if (typed === '' || typed === now) return;
      try {
        const d = await vss.renameDevice(typed);
        printLine(`This device is now named ${JSON.stringify(d.name)}.`);
        return;
      } catch (err) {
        // Through the daemon a refusal arrives as a VssError with its code.
        if (!(err instanceof VssError && err.code === 'USAGE')) throw err;
        printLine(`${err.message}; try again, or press Enter to keep ${JSON.stringify(now)}.`);
      }
    }
  } finally {
    rl.close();
  }
}

/** `vss pair …` and `vss devices …`: pairing a person's devices and the list of them (DESIGN §9, §11). */
export function registerPairCommands(program: Command): void {
  const pair = program.command('pair').description("pair this device with another of yours (a 12-word code), so they share a library's sidecars");

  pair
    .command('start')
    .description('show a pairing code for the current library and wait for the other device to join (starts the daemon if needed)')
    .action(async function (this: Command) {
      const json = globals(this).json;
      const vss = await daemonClientFor(this, 'for pairing');
      // Ctrl-C: the daemon cancels the code when this command goes away; say so, then exit as a stop does.
      const undo = onStopSignal(() => {
        process.stderr.write('vss: pairing cancelled: the code no longer works\n');
        process.exit(130);
      });
      let paired;
      try {
        paired = await vss.pairing.start({ ...(globals(this).library !== undefined ? { library: globals(this).library! } : {}) }, (code) => (json ? printJsonLine(code) : printCode(code)));
      } finally {
        undo();
      }
      if (json) printJsonLine(paired);
      else printPaired(paired, false);
    });

  pair
    .command('join <words...>')
    .description("join the device showing this code (found on the LAN by mDNS, or at --peer) or this invite (from anywhere it names) and take part in its library")
    .option('--peer <multiaddr>', 'where the other device listens, e.g. /ip4/192.168.1.20/tcp/4001/p2p/12D3Koo… (see its `vss daemon status`)')
    .option('--name <name>', "the name this device goes by on the other (as `vss device rename`); default: asked on a terminal, else the name it has")
    .action(async function (this: Command, words: string[], opts: { peer?: string; name?: string }) {
      const invite = words.length === 1 && looksLikeInvite(words[0]!) ? words[0]!.trim() : undefined;
      const code = invite !== undefined ? [] : wordsOf(words);
      await checkPairJoin(code, opts.peer, opts.name, invite); // before a daemon is started for it
      const vss = await daemonClientFor(this, 'for pairing');
      if (opts.name !== undefined) await vss.renameDevice(opts.name);
      else if (process.stdin.isTTY && process.stdout.isTTY && !globals(this).json) await askName(vss);
      const paired = await vss.pairing.join(code, { ...(opts.peer !== undefined ? { peer: opts.peer } : {}), ...(invite !== undefined ? { invite } : {}) });
      if (globals(this).json) printJson(paired);
      else printPaired(paired, true);
    });

  const devices = program.command('devices').description('the devices paired with this one');

  devices
    .command('list')
    .description('paired devices and browsers: name, id, when paired, whether online now (a browser: what it may do)')
    .action(async function (this: Command) {
      const list = await (await clientFor(this)).devices.list();
      if (globals(this).json) return printJson(list);
      if (list.length === 0) return printLine('No paired devices. Pair one with `vss pair start` here and `vss pair join` there.');
      for (const d of list) printLine(deviceLine(d));
    });

  devices
    .command('connect <multiaddr>')
    .description("connect to a paired device at an address, where mDNS and the other devices cannot find it (e.g. another network); the address is remembered")
    .action(async function (this: Command, addr: string) {
      await checkPeerAddress(addr); // before a daemon is started for it
      const vss = await daemonClientFor(this, 'to connect');
      const got = await vss.devices.connect(addr);
      if (globals(this).json) return printJson(got);
      printLine(`Connected to ${got.name} (${got.device_id}) at ${got.addr}; this device will look for it there again.`);
    });

  devices
    .command('revoke <id>')
    .description('end a paired browser\'s session for good (a phone paired with `vss ui pair`): its next request is refused')
    .action(async function (this: Command, id: string) {
      const gone = await (await clientFor(this)).devices.revoke(id);
      if (globals(this).json) return printJson(gone);
      printLine(`Revoked ${gone.name} (${shortId(gone.id)}): it is signed out.`);
    });

  devices
    .command('rights <id> [rights...]')
    .description('what a device may do in the libraries it shares with this one — admit (let others in, set rights), remove, relay — and, given RIGHTS (e.g. admit,remove,relay or none), set it for every member')
    .action(async function (this: Command, id: string, rights: string[]) {
      const got = await (await clientFor(this)).devices.rights(id, rights.length > 0 ? rights : undefined);
      if (globals(this).json) return printJson(got);
      if (got.libraries.length === 0) return printLine(`${got.name} (${shortId(got.id)}) is a member of no library open here.`);
      for (const l of got.libraries) printLine(`${got.name} in ${l.library}: ${l.rights.length > 0 ? l.rights.join(', ') : 'nothing (a member still: it syncs, but may not admit, remove or be relayed)'}`);
      if (rights.length > 0) printLine('Every member takes it in when it next hears from this device.');
    });

  devices
    .command('remove <id>')
    .alias('unpair')
    .description('remove a device from the libraries it shares with this one, for every member: its key is refused everywhere and what it had is forgotten')
    .action(async function (this: Command, id: string) {
      const gone = await (await clientFor(this)).devices.unpair(id);
      if (globals(this).json) return printJson(gone);
      printLine(`Removed ${gone.name} (${shortId(gone.id)}): refused here now, and by every member once they hear of it (within a minute while they are online).`);
    });
}
