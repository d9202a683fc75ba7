import type { FolderWatches, WatchFailure } from './port.js';

/**
 * Watches for a storage that tells nobody of its changes (a bucket): its root is "unwatched"
 * for REASON, so whoever follows it rescans the whole of it on a schedule instead.
 */
export function pollOnlyWatches(reason: string): FolderWatches {
  const root: WatchFailure = { rel: '', reason, limit: false };
  return { unwatched: new Map([['', root]]), size: 0, sync: () => ({ added: [], failed: [] }), closeAll: () => undefined };
}
