import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { globals, vssFor } from '../context.js';
import { attachIndexReporter } from '../progress.js';
import { displayPath, formatBytes, formatDuration, printJson, printLine } from '../output.js';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('build a sample folder, index it deeply into a new library, make its sidecars and show what vss found and made')
    .option('--path <dir>', 'where to create the demo (default: a new temporary folder)')
    .option('--samples-only', 'only make the sample folder (DIR/Samples, with --path): no library, nothing indexed — files to try the guide\'s examples on')
    .action(async function (this: Command, opts: { path?: string; samplesOnly?: boolean }) {
      if (opts.samplesOnly) {
        if (opts.path === undefined) throw new UsageError('--samples-only needs --path DIR: the folder to make Samples in');
        const { buildSampleSet } = await import('../demo/sample-set.js');
        const samples = resolve(opts.path, 'Samples');
        await buildSampleSet(samples);
        if (globals(this).json) return printJson({ samples });
        return printLine(`Samples made in ${displayPath(samples)}: Photos, Documents, Videos and Backup (duplicates of some).`);
      }
      let detach: (() => void) | undefined;
      // The demo loads sharp and ffmpeg: only when it runs, so other commands start light.
      const { runDemo } = await import('../demo/run-demo.js');
      const summary = await runDemo(await vssFor(this), {
        path: opts.path,
        onLibrary: (lib) => { detach = attachIndexReporter(lib.events); },
      }).finally(() => detach?.());
      if (globals(this).json) return printJson(summary);
      const r = summary.index;
      printLine(`vss demo`);
      printLine(`  library:  ${displayPath(summary.library)}${summary.made_current ? ' (now current)' : ''}`);
      printLine(`  samples:  ${displayPath(summary.samples)}`);
      printLine(`  indexed:  ${r.files} files in ${r.dirs} folders, ${formatBytes(r.bytes)}, in ${formatDuration(r.duration_ms)}`);
      printLine(`  contents: ${r.contents} unique (${Object.entries(summary.kinds).map(([k, n]) => `${n} ${k}`).join(', ')})`);
      printLine(`  duplicates: ${summary.duplicates.length} contents stored more than once`);
      for (const d of summary.duplicates) {
        printLine(`    ${d.content_uuid}`);
        for (const p of d.paths) printLine(`      ${displayPath(p)}`);
      }
      if (r.skipped_total) printLine(`  skipped:  ${r.skipped_total}`);
      const j = summary.jobs;
      printLine(`  jobs:     ${j.completed} completed, ${j.failed} failed in ${formatDuration(j.durationMs)}`);
      printLine(`  sidecars: ${Object.entries(summary.sidecars).map(([k, n]) => `${n} ${k}`).join(', ') || 'none'}`);
      for (const e of summary.examples) printLine(`    ${e.kind}/${e.variant}: ${displayPath(e.path)}`);
      if (summary.ocr_sample) printLine(`  OCR of Documents/scanned-note.png: ${JSON.stringify(summary.ocr_sample.replace(/\s+/g, ' '))}`);
      for (const [note, n] of Object.entries(j.notes)) printLine(`  note:     ${note} (${n})`);
      for (const u of r.unavailable ?? []) printLine(`  note:     ${u.kind} not made: ${u.reason}`);
      for (const e of j.errors.slice(0, 5)) printLine(`  failed:   ${e.kind} ${e.contentUuid ?? ''}: ${e.error}`);
      const s = summary.search;
      printLine(`  search "${s.query}": ${s.results.map((f) => `${f.path ? displayPath(f.path) : '?'} (${f.source}) ${f.snippet.replace(/\s+/g, ' ')}`).join('; ') || 'nothing found'}`);
      const lib = summary.made_current ? '' : ` --library ${JSON.stringify(summary.library)}`;
      printLine(`Try: ./bin/vss${lib} content list · ./bin/vss${lib} search cash · ./bin/vss ui --open`);
    });
}
