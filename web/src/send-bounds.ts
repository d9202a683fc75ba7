/**
 * Contents queued in one send job: the most files one send carries (the daemon's DROP_MAX_ITEMS,
 * src/sync/messages/table.ts; the peer-message table is not the app's to bundle, so a test holds
 * the two equal: test/web/grid-photos.test.ts).
 */
export const SEND_CHUNK = 1000;
