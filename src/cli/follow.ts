import type { EventFollow } from '../api/index.js';
import { onStopSignal } from './signals.js';

/** Wait until FOLLOW ends; Ctrl-C ends it too (exit 130, as a shell reports a stopped command). */
export async function untilFollowEnds(follow: EventFollow): Promise<void> {
  const undo = onStopSignal(() => {
    process.exitCode = 130;
    void follow.stop();
  });
  try {
    await follow.done;
  } finally {
    undo();
  }
}
