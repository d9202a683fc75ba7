import type { Stream } from '@libp2p/interface';
import type { Logger } from 'pino';
import { MAX_LOCK_MS } from '../../guardian/copy-locks.js';
import { lockForPeer } from '../../guardian/guard.js';
import type { Library } from '../../library/library.js';
import { PeerChannel } from '../messages/channel.js';
import { PeerMessageError } from '../messages/fields.js';
import { REASON_CHARS } from '../messages/table.js';
import type { RemoteDevice } from '../peer-link.js';

/*
 * /vss/lock, the holder's side (DESIGN §19, git-annex's `lockContentForRemoval`): a paired device
 * about to drop its own copy of a content asks this one to lock its copy for the drop. The
 * Guardian decides which copies it may lock (`lockForPeer`: each there as that content, passing
 * the evidence rule now, not being dropped by this device itself); this side only carries the asks
 * and keeps what they locked exactly as long as the stream: until the asker's `release`, the
 * stream closing or aborting (the asker gone, its connection lost, this daemon stopping), or the
 * time granted at the first ask running out. While it holds, this device's own delete, move or
 * replace of those files waits (the guard's `lockedBy`).
 */

/** The first ask must come this soon after the stream opens. */
const ASK_WAIT_MS = 15_000;
/** Asks one stream may make (each of at most MAX_LOCK_COPIES copies): a drop of a million files. */
export const MAX_ASKS_A_STREAM = 1000;

/** Serve one /vss/lock stream from REMOTE (a paired device), its libraries found by LIBOF. */
export async function serveLock(stream: Stream, remote: RemoteDevice, libOf: (libraryId: string) => Library | undefined, log?: Logger): Promise<void> {
  const ch = new PeerChannel(stream, 'lock');
  const releases: Array<() => void> = [];
  const releaseAll = () => {
    for (const r of releases.splice(0)) r();
  };
  let held = 0;
  try {
    let ask = (await ch.receive(['lock.ask'], { signal: AbortSignal.timeout(ASK_WAIT_MS), unknown: 'refuse' })).body;
    const libraryId = ask.library_id;
    // Only a library both devices share, and only while it is open here.
    if (!remote.libraryIds.includes(libraryId)) return await ch.send('lock.error', { reason: `library ${libraryId} is not shared with ${remote.name}` });
    const lib = libOf(libraryId);
    if (!lib) return await ch.send('lock.error', { reason: `library ${libraryId} is not open on this device now` });
    const until = Date.now() + Math.min(ask.ms, MAX_LOCK_MS);
    for (let asks = 1; ; asks++) {
      if (ask.library_id !== libraryId) return await ch.send('lock.error', { reason: 'one lock stream is of one library' });
      const ms = Math.max(0, until - Date.now());
      // Refusals and this device's waiting drops name the asker by its device name.
      const got = await lockForPeer(lib, remote.name, ask.copies, ms);
      releases.push(got.release);
      held += got.held.length;
      await ch.send('lock.held', { held: got.held, ms, refused: [...got.refused].map(([i, reason]) => ({ i, reason: reason.slice(0, REASON_CHARS) })) });
      if (asks === 1) log?.info({ from: remote.name, held: got.held.length, refused: got.refused.size, ms }, 'copies locked for another device\'s drop');
      // Held until the asker releases them; a stream that ends or aborts, or the time granted, ends them too (the finally).
      const next = await ch.receive(['lock.ask', 'lock.release'], { signal: AbortSignal.timeout(Math.max(1, until - Date.now())), unknown: 'skip' });
      if (next.name === 'lock.release') {
        releaseAll();
        log?.info({ from: remote.name, held }, 'copies locked for another device\'s drop released');
        await ch.send('lock.released', {});
        return;
      }
      if (asks >= MAX_ASKS_A_STREAM) return await ch.send('lock.error', { reason: `at most ${MAX_ASKS_A_STREAM} asks a lock stream` });
      ask = next.body;
    }
  } catch (err) {
    // Before anything is held, the asker hears why (a malformed ask, a library that could not be read); once held, the
    // stream ending or the time running out only ends the locks.
    if (releases.length === 0 || err instanceof PeerMessageError) await ch.send('lock.error', { reason: askRefusal(err).slice(0, REASON_CHARS) }).catch(() => undefined);
    else log?.info({ from: remote.name, held, why: (err as Error).message }, 'copies locked for another device\'s drop released: its stream ended or its time ran out');
  } finally {
    releaseAll();
    await ch.close().catch(() => undefined);
  }
}

/** Why an ask was not answered, as the asker reads it. */
function askRefusal(err: unknown): string {
  if (err instanceof PeerMessageError) return err.message;
  return `the copies could not be looked at: ${(err as Error).message}`;
}
