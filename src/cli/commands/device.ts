import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { clientFor, globals } from '../context.js';
import { displayPath, printJson, printLine } from '../output.js';

function parseBudget(v: string): number | 'default' {
  if (v === 'default') return v;
  if (!/^[1-9][0-9]{0,3}$/.test(v)) throw new UsageError(`the CPU budget must be a whole number of cores or "default", got ${JSON.stringify(v)}`);
  return Number(v);
}

/** `vss device …`: this device's own settings (kept in the data dir, not in a library). */
export function registerDeviceCommands(program: Command): void {
  const device = program.command('device').description("this device's identity and settings");

  device
    .command('info')
    .description("this device's id, name and public key")
    .action(async function (this: Command) {
      const d = await (await clientFor(this)).device();
      if (globals(this).json) return printJson(d);
      printLine(`${d.name}  ${d.id}  (since ${d.created_at})`);
    });

  device
    .command('rename <name>')
    .description('the name paired devices show for this one, and use in DEVICE:/path addresses')
    .action(async function (this: Command, name: string) {
      const d = await (await clientFor(this)).renameDevice(name);
      if (globals(this).json) return printJson(d);
      printLine(`This device is now named ${JSON.stringify(d.name)}.`);
    });

  device
    .command('peer-force [on|off]')
    .description("show or set whether a paired device's --force gets past this device's Guardian when it replaces files here (default off: this device keeps the last word over its own files)")
    .action(async function (this: Command, value: string | undefined) {
      if (value !== undefined && value !== 'on' && value !== 'off') throw new UsageError(`peer-force takes on or off, got ${JSON.stringify(value)}`);
      const vss = await clientFor(this);
      const on = await (value === undefined ? vss.deviceSettings.peerForce() : vss.deviceSettings.setPeerForce(value === 'on'));
      if (globals(this).json) return printJson({ peer_force: on });
      printLine(on
        ? 'Paired devices may force a replace of files here past this device\'s Guardian (files copy … --on-conflict replace --force).'
        : 'This device\'s Guardian has the last word over its files: a paired device\'s --force does not get past it.');
    });

  device
    .command('browsable <add|remove|list> [path]')
    .description('folders of this device a paired device may browse and read from though they are in no location (read-only; none unless you add one)')
    .action(async function (this: Command, verb: string, path: string | undefined) {
      if (verb !== 'add' && verb !== 'remove' && verb !== 'list') throw new UsageError(`browsable takes add, remove or list, got ${JSON.stringify(verb)}`);
      if (verb !== 'list' && path === undefined) throw new UsageError(`name the folder to ${verb}`);
      const vss = await clientFor(this);
      const roots = await (verb === 'list' ? vss.deviceSettings.browsable() : vss.deviceSettings.setBrowsable(resolve(path!), verb === 'add'));
      if (globals(this).json) return printJson(roots);
      if (roots.length === 0) return printLine('No folder is browsable by paired devices.');
      for (const r of roots) printLine(displayPath(r));
    });

  device
    .command('cpu-budget [cores]')
    .description('show or set how many cores background generation may use ("default": every core but one); a running daemon applies it at once')
    .action(async function (this: Command, cores: string | undefined) {
      const vss = await clientFor(this);
      const b = await (cores === undefined ? vss.deviceSettings.cpuBudget() : vss.deviceSettings.setCpuBudget(parseBudget(cores)));
      if (globals(this).json) return printJson(b);
      printLine(`CPU budget: ${b.cpu_budget} of ${b.cores} cores${b.default ? ' (default)' : ''}`);
    });
}
