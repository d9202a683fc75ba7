import { shortId } from '../../core/short-id.js';
import type { Command } from 'commander';
import { contentRef } from '../content-arg.js';
import type { SidecarKind, SidecarStatus } from '../../api/index.js';
import { UsageError } from '../../core/errors.js';
import { SIDECAR_STATUSES, sidecarKind } from '../../api/sidecar-kinds.js';
import { globals, withLibrary } from '../context.js';
import { displayPath, printError, printJson, printJsonArray, printLine, printLines } from '../output.js';
import { registerConvertCommand } from './sidecars-convert.js';
import { registerReconcileCommand } from './sidecars-reconcile.js';
import { registerWatchCommand } from './sidecars-watch.js';

function parseStatus(v: string): SidecarStatus {
  if (!(SIDECAR_STATUSES as readonly string[]).includes(v)) throw new UsageError(`--status must be one of ${SIDECAR_STATUSES.join(', ')}`);
  return v as SidecarStatus;
}

export function registerSidecarCommands(program: Command): void {
  const sidecars = program.command('sidecars').description('derivative data of each content: thumbnails, OCR, transcripts, ...');

  sidecars
    .command('list')
    .description('sidecar records, with the absolute path of each ready file')
    .option('--content <uuid>', 'only this content')
    .option('--kind <kind>', 'only this kind', sidecarKind)
    .option('--status <status>', 'only this status', parseStatus)
    .action(async function (this: Command, opts: { content?: string; kind?: SidecarKind; status?: SidecarStatus }) {
      await withLibrary(this, async (lib) => {
        const rows = lib.sidecars.iterate({ contentUuid: opts.content, kind: opts.kind, status: opts.status });
        if (globals(this).json) return printJsonArray(rows);
        await printLines(rows, (r) => `${shortId(r.content_uuid)}  ${r.kind}/${r.variant}.${r.format}  ${r.status}  ${r.source}  ${r.path ? displayPath(r.path) : ''}${r.error && r.status !== 'ready' ? `  (${r.error})` : ''}`, 'No sidecars.');
      }, 'read');
    });

  sidecars
    .command('presence <uuid...>')
    .description('for each content and variant: here or not, status, path, and which devices have it')
    .requiredOption('--kind <kind>', 'the sidecar kind', sidecarKind)
    .option('--variants <list>', 'comma-separated variants (default: all of the kind)')
    .action(async function (this: Command, uuids: string[], opts: { kind: SidecarKind; variants?: string }) {
      await withLibrary(this, async (lib) => {
        const variants = opts.variants ? opts.variants.split(',').map((v) => v.trim()).filter(Boolean) : undefined;
        const items = await lib.sidecars.presence(uuids, opts.kind, variants);
        if (globals(this).json) return printJson(items);
        for (const p of items) {
          const devices = p.devices.length > 0 ? `  on ${p.devices.length} device${p.devices.length === 1 ? '' : 's'}: ${p.devices.join(' ')}` : '';
          printLine(`${shortId(p.content_uuid)}  ${opts.kind}/${p.variant}  ${p.local ? 'local' : p.status}${p.path ? `  ${displayPath(p.path)}` : ''}${devices}`);
        }
      }, 'read');
    });

  sidecars
    .command('path <content> <kind> <variant>')
    .description('the path of a ready sidecar of a content (its id, or a file\'s path or name); queues it when missing and it can be made')
    .action(async function (this: Command, content: string, kind: string, variant: string) {
      await withLibrary(this, async (lib) => {
        const answer = await lib.sidecars.path(contentRef(content), kind, variant);
        if (globals(this).json) printJson(answer);
        else if (answer.state === 'ready') printLine(displayPath(answer.path));
        else if (answer.state === 'unavailable') printError(`vss: error: unavailable: ${answer.reason}`);
        else printLine(answer.state === 'pending' && answer.enqueued ? 'pending (queued now)' : answer.state);
        if (answer.state === 'unavailable') process.exitCode = 1;
      }, 'read');
    });

  sidecars
    .command('get <content> <kind> <variant>')
    .description('the resolver: the path of the sidecar of a content (its id, or a file\'s path or name) here, else fetched from a paired device, else made here; waits up to --timeout')
    .option('--timeout <seconds>', 'how long to wait for a fetch or for making it (default 60)', parseTimeout, 60)
    .action(async function (this: Command, content: string, kind: string, variant: string, opts: { timeout: number }) {
      await withLibrary(this, async (lib) => {
        const answer = await lib.sidecars.get(contentRef(content), kind, variant, { timeoutMs: opts.timeout * 1000 });
        if (globals(this).json) printJson(answer);
        else if (answer.state === 'unavailable') printError(`vss: error: unavailable: ${answer.reason}`);
        else printLine(displayPath(answer.path));
        if (answer.state === 'unavailable') process.exitCode = 1;
      });
    });

  registerReconcileCommand(sidecars);
  registerConvertCommand(sidecars);
  registerWatchCommand(sidecars);
}

function parseTimeout(v: string): number {
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || n <= 0 || n > 3600) throw new UsageError(`--timeout takes seconds, more than 0 and at most 3600, not ${JSON.stringify(v)}`);
  return n;
}
