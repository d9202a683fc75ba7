import type { Db } from './connection.js';
import { VssError } from '../core/errors.js';
import { foundation } from './migrations/001-foundation.js';
import { sidecars } from './migrations/002-sidecars.js';
import { conversionJournal } from './migrations/003-conversion-journal.js';
import { jobs } from './migrations/004-jobs.js';
import { finishedJobs } from './migrations/005-finished-jobs.js';
import { locationWatch } from './migrations/006-location-watch.js';
import { availabilitySync } from './migrations/007-availability-sync.js';
import { search } from './migrations/008-search.js';
import { captureOrder } from './migrations/009-capture-order.js';
import { searchOcrLines } from './migrations/010-search-ocr-lines.js';
import { batchedIdentityWrites } from './migrations/011-batched-identity-writes.js';
import { librarySync } from './migrations/012-library-sync.js';
import { availabilityKeys } from './migrations/013-availability-keys.js';
import { gridPeerRows } from './migrations/014-grid-peer-rows.js';
import { jobParams } from './migrations/015-job-params.js';
import { peerContentIds } from './migrations/016-peer-content-ids.js';
import { sharedMetadata } from './migrations/017-shared-metadata.js';
import { volumes } from './migrations/018-volumes.js';
import { fileOps } from './migrations/019-file-ops.js';
import { mediaFindersCursor } from './migrations/020-media-finders-cursor.js';
import { fileOpMeta } from './migrations/021-file-op-meta.js';
import { feedCursors } from './migrations/022-feed-cursors.js';
import { listingDigests } from './migrations/023-listing-digests.js';
import { guardian } from './migrations/024-guardian.js';
import { actions } from './migrations/025-actions.js';
import { scrub } from './migrations/026-scrub.js';
import { contentCopiesIndex } from './migrations/027-content-copies-index.js';
import { buckets } from './migrations/028-buckets.js';
import { facesPeople } from './migrations/029-faces-people.js';
import { albums } from './migrations/030-albums.js';
import { searchPlaces } from './migrations/031-search-places.js';
import { entryCtime } from './migrations/032-entry-ctime.js';
import { xmpBases } from './migrations/033-xmp-bases.js';
import { jobInterruptions } from './migrations/034-job-interruptions.js';
import { bucketEvidence } from './migrations/035-bucket-evidence.js';
import { trash } from './migrations/036-trash.js';
import { libraryBackups } from './migrations/037-library-backups.js';
import { stacks } from './migrations/038-stacks.js';
import { libraryMembers } from './migrations/039-library-members.js';
import { memberRights } from './migrations/040-member-rights.js';
import { forwardedRows } from './migrations/041-forwarded-rows.js';
import { locationKind } from './migrations/042-location-kind.js';
import { trashAlone } from './migrations/043-trash-alone.js';
import { numberedEmptyFolders } from './migrations/044-numbered-empty-folders.js';
import { objects } from './migrations/045-objects.js';
import { xmpWriteBack } from './migrations/046-xmp-write-back.js';
import { searchContentMark } from './migrations/047-search-content-mark.js';
import { entriesInsertedLinked } from './migrations/048-entries-inserted-linked.js';
import { bucketKeys } from './migrations/049-bucket-keys.js';
import { devicesUnconfirmed } from './migrations/050-devices-unconfirmed.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every schema change, in order. The database's user_version says how many have run. */
export const MIGRATIONS: readonly Migration[] = [
  foundation, sidecars, conversionJournal, jobs, finishedJobs, locationWatch, availabilitySync, search, captureOrder, searchOcrLines, batchedIdentityWrites,
  librarySync, availabilityKeys, gridPeerRows, jobParams, peerContentIds, sharedMetadata, volumes,
  fileOps, mediaFindersCursor, fileOpMeta, feedCursors, listingDigests, guardian, actions, scrub, contentCopiesIndex, buckets, facesPeople, albums, searchPlaces,
  entryCtime, xmpBases, jobInterruptions, bucketEvidence, trash, libraryBackups, stacks, libraryMembers, memberRights, forwardedRows, locationKind, trashAlone,
  numberedEmptyFolders, objects, xmpWriteBack, searchContentMark, entriesInsertedLinked, bucketKeys, devicesUnconfirmed,
];

export function currentSchemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Bring the database up to the newest schema, one transaction per migration. */
export function migrate(db: Db, path: string): void {
  const have = currentSchemaVersion(db);
  const newest = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
  if (have > newest) {
    throw new VssError('MIGRATION_FAILED', `library schema v${have} is newer than this vss understands (v${newest}); update vss`, { path });
  }
  for (const m of MIGRATIONS) {
    if (m.version <= have) continue;
    try {
      db.transaction(() => {
        db.exec(m.sql);
        db.pragma(`user_version = ${m.version}`);
      })();
    } catch (err) {
      throw new VssError('MIGRATION_FAILED', `migration ${m.version} (${m.name}) failed: ${(err as Error).message}`, { path, cause: err });
    }
  }
}
