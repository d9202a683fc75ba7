import type { Command } from 'commander';
import type { ActionInfo } from '../../api/index.js';
import { UsageError } from '../../core/errors.js';
import { DEFAULT_ACTIONS_LIMIT } from '../../api/words.js';
import { globals, withLibrary } from '../context.js';
import { displayPath, formatBytes, printJson, printLine } from '../output.js';

/** `vss actions`: the action log (issue 30). */
export function registerActionCommands(program: Command): void {
  const actions = program.command('actions').description('the action log: every copy, move, delete, send and get, with its device, when and how it ended');

  actions
    .command('list')
    .description('the newest actions first')
    .option('--limit <n>', `how many (default ${DEFAULT_ACTIONS_LIMIT})`)
    .action(async function (this: Command, o: { limit?: string }) {
      const limit = o.limit === undefined ? undefined : Number(o.limit);
      if (limit !== undefined && !Number.isInteger(limit)) throw new UsageError(`--limit is a whole number, got ${JSON.stringify(o.limit)}`);
      await withLibrary(this, async (lib) => {
        const list = await lib.actions.list(limit !== undefined ? { limit } : {});
        if (globals(this).json) return printJson(list);
        if (list.length === 0) return printLine('No actions yet.');
        for (const a of list) printLine(line(a));
      }, 'read');
    });
}

function line(a: ActionInfo): string {
  const w = a.what;
  const more = w.source_count > w.sources.length ? ` and ${w.source_count - w.sources.length} more` : '';
  const what = `${w.sources.map(displayPath).join(', ')}${more}${w.target !== null ? ` -> ${displayPath(w.target)}` : ''}`;
  const size = w.files !== null ? ` (${w.files} file${w.files === 1 ? '' : 's'}, ${formatBytes(w.bytes ?? 0)})` : '';
  const job = a.job_id !== null ? `  job ${a.job_id}` : '';
  const reason = a.reason !== null ? `: ${a.reason}` : '';
  return `${a.id}  ${new Date(a.started_at).toISOString()}  ${a.device_name}  ${a.op} ${what}${size}  ${a.outcome}${reason}${job}`;
}
