import { shortId } from '../../core/short-id.js';
import type { Command } from 'commander';
import type { StackView } from '../../api/index.js';
import { contentRef } from '../content-arg.js';
import { globals, withLibrary } from '../context.js';
import { printJson, printLine, printLines } from '../output.js';

/** A stack's cover as a person knows it: its file's name (its id's start only where no device names it now). */
const coverName = (s: StackView) => s.cover_name ?? shortId(s.cover);

function stackLine(s: StackView): string {
  return `${shortId(s.stack_id)}  ${s.kind.padEnd(8)}  ${String(s.members.length).padStart(3)} photos  cover ${coverName(s)}`;
}

/** `vss stacks list` (issue 45): a RAW with its camera's JPEG, a burst's frames, each one item behind a cover. */
export function registerStacksCommands(program: Command): void {
  registerStackCommand(program);
  const stacks = program.command('stacks').description("stacks: a RAW and its camera's JPEG, or a burst's frames, shown as one item behind a cover (found by deep scans)");
  stacks
    .command('list')
    .description('every stack: id, kind (raw+jpeg or burst), how many photos, its cover')
    .action(async function (this: Command) {
      await withLibrary(this, async (lib) => {
        const all = await lib.stacks.list();
        if (globals(this).json) return printJson(all);
        await printLines(all, stackLine, 'No stacks: a deep scan stacks a RAW with the JPEG of the same name, and burst frames (vss location add DIR --mode deep).');
      }, 'read');
    });
}

/** `vss stack …` (issue 45): change one stack. */
function registerStackCommand(program: Command): void {
  const stack = program.command('stack').description('change one stack (vss stacks list shows them): its cover, or unstack it');
  stack
    .command('set-cover <stack_id> <content>')
    .description('show CONTENT (its file\'s name or path, or its id) for the stack: the RAW instead of the JPEG, another burst frame; on every device')
    .action(async function (this: Command, stackId: string, content: string) {
      await withLibrary(this, async (lib) => {
        const s = await lib.stacks.setCover(stackId, contentRef(content));
        if (globals(this).json) return printJson(s);
        printLine(`Stack ${shortId(s.stack_id)} now shows ${coverName(s)}.`);
      });
    });
  stack
    .command('unstack <stack_id>')
    .description('make its photos items of their own again, on every device (a scan does not stack them again)')
    .action(async function (this: Command, stackId: string) {
      await withLibrary(this, async (lib) => {
        const s = await lib.stacks.unstack(stackId);
        if (globals(this).json) return printJson(s);
        printLine(`Unstacked ${s.members.length} photos of stack ${shortId(s.stack_id)} (cover ${coverName(s)}): each an item of its own again.`);
      });
    });
}
