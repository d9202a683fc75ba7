import type { Command } from 'commander';
import { clientFor } from '../context.js';
import { StdoutWriter } from '../output.js';
import { onStopSignal } from '../signals.js';

/** `vss events [--follow]`: the daemon's event stream, one JSON object a line (DESIGN §11). */
export function registerEventsCommand(program: Command): void {
  program
    .command('events')
    .description("the daemon's events, one JSON object a line: the recent ones, then (--follow) as they happen")
    .option('--follow', 'keep printing events until Ctrl-C')
    .action(async function (this: Command, opts: { follow?: boolean }) {
      const vss = await clientFor(this);
      const out = new StdoutWriter();
      const follow = vss.followEvents({ follow: opts.follow ?? false }, (e) => {
        void out.line(JSON.stringify(e));
        if (opts.follow) void out.flush();
      });
      const undo = onStopSignal(() => {
        process.exitCode = 130; // ended by Ctrl-C, as a shell reports it
        void follow.stop();
      });
      try {
        await follow.done;
      } finally {
        undo();
        await out.flush();
      }
    });
}
