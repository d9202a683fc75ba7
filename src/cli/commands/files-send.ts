import { resolve } from 'node:path';
import type { Command } from 'commander';
import { clientFor, globals, withLibrary } from '../context.js';
import { typedSource, withFileOpFlags, type FileOpCliFlags } from '../file-op-flags.js';
import { displayPath, formatBytes, printJson, printLine } from '../output.js';
import { waitForJob } from '../wait-for-job.js';
import { printLeftOut, printPreview } from './files-ops.js';

/** The contents a queued send's PARAMS say it left out (no file here then); none when they say nothing readable. */
function notHereOf(params: string | null): string[] {
  try {
    const p = JSON.parse(params ?? '{}') as { not_here?: unknown };
    return Array.isArray(p.not_here) ? p.not_here.filter((u): u is string => typeof u === 'string') : [];
  } catch {
    return [];
  }
}

/** `vss files send|inbox` (issue 21, item 4: Spacedrop to a paired device). */
export function registerSendCommands(files: Command): void {
  const send = files
    .command('send <refs...>')
    .description('send files, folders (their files, by name) or contents of the library (by uuid) to a paired device\'s inbox, verified there; a job of the daemon that resumes after a cut link or a restart of either side')
    .requiredOption('--to <device>', 'the paired device (its name or id: vss devices list)');
  withFileOpFlags(send, 'send')
    .action(async function (this: Command, refs: string[], opts: FileOpCliFlags & { to: string }) {
      // Paths travel absolute (the daemon's working directory is not ours); a uuid names a content.
      const named = refs.map(typedSource);
      await withLibrary(this, async (lib) => {
        if (opts.dryRun) return printPreview(this, await lib.files.preview('send', named, { to: opts.to }));
        if (opts.detach) {
          const job = await lib.send.queue(named, opts.to);
          if (globals(this).json) return printJson(job);
          printLine(`queued as job ${job.id}: ${formatBytes(job.bytes)} to ${opts.to} (vss jobs info ${job.id})`);
          return printLeftOut(notHereOf(job.params));
        }
        const sent = await waitForJob(lib.events, 'Sending', (call) => lib.send.send(named, opts.to, call),
          (id) => `the send goes on as job ${id} of the daemon (vss jobs cancel ${id} stops it)`);
        if (sent === undefined) return;
        if (globals(this).json) return printJson(sent);
        for (const f of sent.files) printLine(`${displayPath(f.path)}  →  ${sent.device}: ${f.saved_as}  (${formatBytes(f.size)}, verified)`);
        const resumed = sent.bytes_sent < sent.total_bytes ? `; ${formatBytes(sent.bytes_sent)} crossed the network in the last attempt` : '';
        printLine(`${sent.files.length} file${sent.files.length === 1 ? '' : 's'}, ${formatBytes(sent.total_bytes)} sent to ${sent.device}${resumed}`);
        for (const l of sent.left_out ?? []) printLine(`left out: ${displayPath(l.path)} (${l.reason})`);
        printLeftOut(sent.not_here);
      });
    });

  files
    .command('inbox')
    .description('show or set the folder where files paired devices send land (default: <Downloads>/vss-inbox; made if missing). Received files are indexed only when the inbox lies inside a location')
    .option('--dir <dir>', 'use this folder from now on ("default": back to the default)')
    .action(async function (this: Command, opts: { dir?: string }) {
      const vss = await clientFor(this);
      const s = await (opts.dir === undefined ? vss.deviceSettings.inbox() : vss.deviceSettings.setInbox(opts.dir === 'default' ? 'default' : resolve(opts.dir)));
      if (globals(this).json) return printJson(s);
      printLine(`Inbox: ${displayPath(s.dir)}${s.default ? ' (default)' : ''}`);
    });
}
