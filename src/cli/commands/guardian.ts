import type { Command } from 'commander';
import { UsageError, type GuardianAtRisk, type GuardianPolicyView, type GuardianStatus, type GuardianTally, type PolicyChange } from '../../api/index.js';
import { globals, withLibrary } from '../context.js';
import { resolveLocationRef } from '../location-ref.js';
import { displayPath, formatBytes, printJson, printLine } from '../output.js';
import { registerProtectCommand } from './guardian-protect.js';

function parseCount(flag: string): (value: string) => number {
  return (value) => {
    if (!/^[0-9]{1,2}$/.test(value)) throw new UsageError(`${flag} is a whole number from 0 to 64, got ${JSON.stringify(value)}`);
    return Number(value);
  };
}

function parseLimit(value: string): number {
  if (!/^[1-9][0-9]{0,4}$/.test(value)) throw new UsageError(`--limit is a whole number from 1 to 10000, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** `vss guardian …` (issue 30): how many copies each content has, against the policy. */
export function registerGuardianCommands(program: Command): void {
  const guardian = program.command('guardian').description('keep every content safe: its copies across devices and drives, counted against a policy');

  guardian
    .command('policy')
    .description('set how many copies the library, a location or a tag asks for (with no numbers: print the policies)')
    .option('--copies <n>', 'copies of each content (one per drive: two files on one drive are one copy)', parseCount('--copies'))
    .option('--devices <n>', 'distinct devices holding a copy', parseCount('--devices'))
    .option('--offsite <n>', 'copies on devices other than this one', parseCount('--offsite'))
    .option('--location <loc>', "a location of this device (id, name or folder): its files' contents")
    .option('--tag <tag>', 'a tag (name or uuid): its contents (and those of the tags beneath it), wherever they are')
    .option('--clear', "forget the location's or tag's policy (the library's: back to the defaults)")
    .action(async function (this: Command, opts: { copies?: number; devices?: number; offsite?: number; location?: string; tag?: string; clear?: boolean }) {
      await withLibrary(this, async (lib) => {
        const numbers = opts.copies !== undefined || opts.devices !== undefined || opts.offsite !== undefined;
        if (!numbers && !opts.clear) {
          if (opts.location !== undefined || opts.tag !== undefined) throw new UsageError('give what the policy asks: --copies, --devices or --offsite (or --clear)');
          const all = await lib.guardian.policies();
          if (globals(this).json) return printJson(all);
          for (const p of all) printLine(policyLine(p));
          return;
        }
        const change: PolicyChange = {};
        if (opts.copies !== undefined) change.copies = opts.copies;
        if (opts.devices !== undefined) change.devices = opts.devices;
        if (opts.offsite !== undefined) change.offsite = opts.offsite;
        if (opts.location !== undefined) change.location = await resolveLocationRef(lib, opts.location);
        if (opts.tag !== undefined) change.tag = opts.tag;
        if (opts.clear) change.clear = true;
        const p = await lib.guardian.setPolicy(change);
        if (globals(this).json) return printJson(p);
        printLine(opts.clear && p.scope !== 'library' ? `${scopeName(p)}: policy forgotten` : policyLine(p));
      });
    });

  guardian
    .command('status')
    .description('contents and bytes that meet their policy, fall short, exist once, or only on drives or devices not seen for 30 days')
    .action(async function (this: Command) {
      await withLibrary(this, async (lib) => {
        const s = await lib.guardian.status();
        if (globals(this).json) return printJson(s);
        for (const line of statusLines(s)) printLine(line);
      }, 'read');
    });

  guardian
    .command('list')
    .description('the contents that fall short of their policy, with their copies')
    .option('--at-risk', 'the contents short of their policy (the only list for now)')
    .option('--limit <n>', 'at most this many contents (default 100)', parseLimit)
    .action(async function (this: Command, opts: { atRisk?: boolean; limit?: number }) {
      if (!opts.atRisk) throw new UsageError('say which list: --at-risk');
      await withLibrary(this, async (lib) => {
        const items = await lib.guardian.atRisk(opts.limit !== undefined ? { limit: opts.limit } : {});
        if (globals(this).json) return printJson(items);
        if (items.length === 0) return printLine('Every content meets its policy.');
        for (const it of items) for (const line of atRiskLines(it)) printLine(line);
      }, 'read');
    });

  registerProtectCommand(guardian);
}

function scopeName(p: GuardianPolicyView): string {
  if (p.scope === 'library') return 'library';
  return `${p.scope} ${p.name !== null ? JSON.stringify(p.name) : p.target}`;
}

function policyLine(p: GuardianPolicyView): string {
  const n = (v: number | null) => (v === null ? '-' : String(v));
  const since = p.scope === 'library' && p.updated_at === null ? '  (defaults)' : '';
  return `${scopeName(p)}: copies ${n(p.copies)}, devices ${n(p.devices)}, offsite ${n(p.offsite)}${since}`;
}

function tally(t: GuardianTally): string {
  return `${t.contents} content${t.contents === 1 ? '' : 's'} (${formatBytes(t.bytes)})`;
}

function statusLines(s: GuardianStatus): string[] {
  return [
    `policy: ${s.policy.copies} copies, on ${s.policy.devices} device${s.policy.devices === 1 ? '' : 's'}, ${s.policy.offsite} off this device`,
    `contents: ${tally({ contents: s.contents, bytes: s.bytes })}`,
    `  safe:   ${tally(s.safe)}`,
    `  short:  ${tally(s.short)}`,
    `  single: ${tally(s.single)}`,
    `  stale:  ${tally(s.stale)}`,
    ...s.by_device.map((d) => `${d.name} (${d.device_id}): ${tally(d)}, last seen ${new Date(d.last_seen).toISOString()}`),
  ];
}

function atRiskLines(it: GuardianAtRisk): string[] {
  const short = Object.entries(it.short_by).filter(([, v]) => v > 0).map(([k, v]) => `${v} ${v === 1 ? k.replace(/ies$/, 'y').replace(/ices$/, 'ice') : k}`).join(', ');
  return [
    `${it.content_uuid}  ${it.kind}  ${formatBytes(it.size)}  short by ${short}`,
    ...it.copies.map((c) => `  ${c.device_name}: ${displayPath(c.path)}${c.volume ? `  [${c.volume}]` : ''}${c.online ? '' : '  (offline)'}${c.verified_at !== null ? `  verified ${new Date(c.verified_at).toISOString()}` : '  never verified'}`),
  ];
}
