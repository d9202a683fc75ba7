import { shortId } from '../../core/short-id.js';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { ContentKind } from '../../api/index.js';
import { globals, withLibrary } from '../context.js';
import { parseKind } from '../parse.js';
import { resolveLocationRef } from '../location-ref.js';
import { displayPath, formatBytes, printJson, printJsonArray, printLine, printLines } from '../output.js';
import { contentRef, UUID } from '../content-arg.js';

export function registerContentCommands(program: Command): void {
  const content = program.command('content').description('unique contents and their copies');

  content
    .command('list')
    .description('every unique content with the paths of its copies')
    .option('--kind <kind>', 'only contents of this kind (image, video, audio, document, text, ...)', parseKind)
    .option('--location <location>', 'only copies in this location of this device (its id, name or folder)')
    .option('--device <device>', 'only contents this device holds (its name or id, or "local"); default: every device of the library')
    .action(async function (this: Command, opts: { kind?: ContentKind; location?: string; device?: string }) {
      await withLibrary(this, async (lib) => {
        const locationId = opts.location === undefined ? undefined : await resolveLocationRef(lib, opts.location);
        const items = lib.content.iterate({ kind: opts.kind, locationId, ...(opts.device !== undefined ? { device: opts.device } : {}) });
        if (globals(this).json) return printJsonArray(items);
        await printLines(items, (c) => {
          // This device's copy first; else another device's, by its address.
          const first = c.paths[0] ?? c.copies[0]?.address ?? '';
          const offline = c.paths.length === 0 && c.copies.length > 0 && !c.copies.some((x) => x.online) ? '  (offline)' : '';
          const more = c.copies.length > 1 ? `  (+${c.copies.length - 1} more)` : '';
          return `${shortId(c.content_uuid)}  ${c.kind.padEnd(9)} ${formatBytes(c.size).padStart(9)}  ${displayPath(first)}${more}${offline}`;
        }, 'No contents yet: add a location in content or deep mode.');
      }, 'read');
    });

  content
    .command('show <content>')
    .description('what vss knows of a content (by uuid, DEVICE:/LOCATION/PATH or file path): when and where it was taken, camera, exposure, copies, sidecars')
    .action(async function (this: Command, ref: string) {
      await withLibrary(this, async (lib) => {
        const uuid = UUID.test(ref) ? ref.toLowerCase() : (await lib.meta.show(contentRef(ref))).content_uuid;
        const d = await lib.browse.detail(uuid);
        if (globals(this).json) return printJson(d);
        const m = d.metadata;
        const rows: Array<[string, string | undefined]> = [
          ['kind', `${d.kind} (${d.mime}), ${formatBytes(d.size)}`],
          ['taken', d.captured_at ?? undefined],
          ['size', d.width && d.height ? `${d.width} × ${d.height}` : undefined],
          ['place', m.place ? [m.place.city, m.place.region, m.place.country].filter(Boolean).join(', ') : undefined],
          ['gps', m.gps ? `${m.gps.lat}, ${m.gps.lon}${m.gps.alt !== undefined ? ` (${m.gps.alt} m)` : ''}` : undefined],
          ['camera', m.camera ? [m.camera.make, m.camera.model, m.camera.lens].filter(Boolean).join(' · ') : undefined],
          ['exposure', m.exposure ? [m.exposure.f && `f/${m.exposure.f}`, m.exposure.time && `${m.exposure.time} s`, m.exposure.iso && `ISO ${m.exposure.iso}`, m.exposure.mm && `${m.exposure.mm} mm`].filter(Boolean).join(' · ') : undefined],
        ];
        printLine(d.content_uuid);
        for (const [k, v] of rows) if (v) printLine(`  ${k.padEnd(9)} ${v}`);
        for (const c of d.copies) printLine(`  copy      ${displayPath(c.address)}${c.local ? '' : c.online ? `  (on ${c.device})` : `  (on ${c.device}, offline)`}`);
      }, 'read');
    });

  content
    .command('get [content]')
    .description('copy a content\'s original into a folder, verified: from this device, else from a paired device that holds it (by uuid or DEVICE:/LOCATION/PATH); through the daemon it runs as a job that resumes after a restart. With --all: every content with no copy on this device, each under the path the library recorded for it')
    .requiredOption('--to <dir>', 'the folder to copy it into (an existing name gets " (2)" added; nothing is overwritten)')
    .option('--all', 'every content the library knows with no copy on this device, into DIR/LOCATION/its/path (none recorded: DIR/Unfiled/UUID.ext); one job that resumes; a file there already with the same bytes is kept')
    .option('--from <volume>', 'with --all: only the contents held on this drive or bucket (its name, as vss volumes list shows it)')
    .option('--detach', 'queue the copy as a job of the daemon and return at once (vss jobs list and jobs monitor follow it)')
    .option('--dry-run', 'print the plan (bytes, a name taken in the folder, free space there) and change nothing')
    .action(async function (this: Command, typed: string | undefined, opts: { to: string; all?: boolean; from?: string; detach?: boolean; dryRun?: boolean }) {
      if (opts.all === true) {
        if (typed !== undefined) this.error('error: name a content or --all, not both', { exitCode: 2 });
        return (await import('./content-get-all.js')).getAll(this, resolve(opts.to), opts);
      }
      if (typed === undefined) this.error('error: name the content to get (a uuid or DEVICE:/LOCATION/PATH), or --all', { exitCode: 2 });
      if (opts.from !== undefined) this.error('error: --from goes with --all (a content named is got from wherever a copy is)', { exitCode: 2 });
      await withLibrary(this, async (lib) => {
        const ref = contentRef(typed);
        const dir = resolve(opts.to);
        // What a get alone needs (a plan's printing, a job's progress) is loaded by it: not by every `content` command.
        if (opts.dryRun) return (await import('./files-ops.js')).printPreview(this, await lib.files.preview('get', [ref], { to: dir }));
        if (opts.detach) {
          const job = await lib.sync.queueGetOriginal(ref, dir);
          if (globals(this).json) return printJson(job);
          return printLine(`queued as job ${job.id}: ${formatBytes(job.bytes)} into ${displayPath(dir)} (vss jobs info ${job.id})`);
        }
        const { waitForJob } = await import('../wait-for-job.js');
        const got = await waitForJob(lib.events, 'Copying', (call) => lib.sync.getOriginal(ref, dir, call),
          (id) => `the copy goes on as job ${id} of the daemon (vss jobs cancel ${id} stops it)`);
        if (got === undefined) return;
        if (globals(this).json) return printJson(got);
        const how = got.bytes_received > 0 ? `from ${got.from_device}, ${formatBytes(got.bytes_received)} received` : `from ${got.from_device}`;
        printLine(`${displayPath(got.path)}  (${formatBytes(got.size)}, verified; ${how})`);
      });
    });
}
