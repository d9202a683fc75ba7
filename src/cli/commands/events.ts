import type { Command } from 'commander';
import { VssError } from '../../core/errors.js';
import { clientFor } from '../context.js';
import { StdoutWriter } from '../output.js';
import { untilFollowEnds } from '../follow.js';

/** Lines waiting for a slow reader; beyond this, progress events are dropped (state changes never are). */
const MAX_PENDING = 10_000;
/** A reader this far behind is not reading: stop rather than hold the daemon's whole history in memory. */
const MAX_BEHIND = 200_000;

/** `vss events [--follow]`: the daemon's event stream, one JSON object a line (DESIGN §11). */
export function registerEventsCommand(program: Command): void {
  program
    .command('events')
    .description("the daemon's events, one JSON object a line: the recent ones, then (--follow) as they happen")
    .option('--follow', 'keep printing events until Ctrl-C')
    .action(async function (this: Command, opts: { follow?: boolean }) {
      const vss = await clientFor(this);
      const out = new StdoutWriter();
      let failure: Error | undefined;
      // Events arrive as the daemon sends them; stdout takes them as fast as its reader does.
      const pending: string[] = [];
      let pumping: Promise<void> = Promise.resolve();
      let idle = true;
      const pump = async () => {
        idle = false;
        while (pending.length > 0) await out.line(pending.shift()!);
        if (opts.follow) await out.flush();
        idle = true;
      };
      const follow = vss.followEvents({ follow: opts.follow ?? false }, (e) => {
        if (pending.length >= MAX_PENDING && e.type.endsWith(':progress')) return;
        if (pending.length >= MAX_BEHIND) {
          failure ??= new VssError('IO', `stdout is not being read (${MAX_BEHIND} events waiting): stopped`);
          return void follow.stop();
        }
        pending.push(JSON.stringify(e));
        if (idle) pumping = pump();
      });
      try {
        await untilFollowEnds(follow);
      } finally {
        await pumping;
        while (pending.length > 0) await out.line(pending.shift()!);
        await out.flush();
      }
      if (failure) throw failure;
    });
}
