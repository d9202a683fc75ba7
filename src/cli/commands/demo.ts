import type { Command } from 'commander';
import { globals, vssFor } from '../context.js';
import { attachIndexReporter } from '../progress.js';
import { displayPath, formatBytes, formatDuration, printJson, printLine } from '../output.js';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('build a sample folder, index it into a new library and show what vss found')
    .option('--path <dir>', 'where to create the demo (default: a new temporary folder)')
    .action(async function (this: Command, opts: { path?: string }) {
      // Loaded on demand: the demo pulls in the image library, which other commands do not need.
      const { runDemo } = await import('../../demo/run-demo.js');
      let detach: (() => void) | undefined;
      const summary = await runDemo(vssFor(this), {
        path: opts.path,
        onLibrary: (lib) => { detach = attachIndexReporter(lib.events, { locationPath: '' }); },
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
      const lib = summary.made_current ? '' : ` --library ${JSON.stringify(summary.library)}`;
      printLine(`Try: ./bin/vss${lib} content list`);
    });
}
