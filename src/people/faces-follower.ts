/**
 * Keeping `faces` and people current: contents whose faces sidecar came (made here or fetched),
 * changed or went wait in `faces_pending` (triggers); they are read in slices, the event loop free
 * between them, and once the faces or the people records changed, the people pass runs after a
 * quiet moment (not once per photo: a deep scan makes a photo's faces a second).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { childLog } from '../core/log.js';
import type { Library } from '../library/library.js';
import { readSidecarJson } from '../sidecars/sidecar-json-file.js';
import { facesFromJson, MAX_FACES_JSON_BYTES } from './faces-ingest.js';
import { runPeoplePass, type PassResult } from './people-pass.js';

const log = childLog('faces');
const BATCH = 32;
const SLICE_MS = 8;
/** The pass waits for this long without new faces (a scan's photos come a second apart). */
const QUIET_MS = 1_500;
/** How often the follower looks at the queue besides the events (another process may have filled it). */
const LOOK_MS = 2_000;

/** Read one content's faces sidecar into its rows (none when it has none here now). */
export function ingestContent(lib: Library, contentUuid: string): void {
  const json = readSidecarJson(lib, contentUuid, 'faces', MAX_FACES_JSON_BYTES, 'faces');
  const { faces, refused } = json === null ? { faces: [], refused: [] } : facesFromJson(contentUuid, json);
  if (refused.length > 0) log.warn({ content: contentUuid, refused: refused.slice(0, 5) }, 'faces of a sidecar are left out');
  lib.store.faces.replaceContent(contentUuid, faces);
}

/** Read queued contents for about BUDGETMS; whether the queue is empty now. */
export function ingestSlice(lib: Library, budgetMs = SLICE_MS): boolean {
  const t0 = performance.now();
  for (;;) {
    const batch = lib.store.faces.takePending(BATCH);
    if (batch.length === 0) return true;
    lib.store.transaction(() => {
      for (const u of batch) {
        try {
          ingestContent(lib, u);
        } catch (err) {
          lib.store.faces.dropPending(u);
          log.warn({ err, content: u }, 'the faces of a content could not be read');
        }
      }
    });
    if (performance.now() - t0 >= budgetMs) return !lib.store.faces.hasPending();
  }
}

/** Everything queued read, and the people pass run if anything changed: what a CLI call does before it answers. */
export function catchUpFaces(lib: Library): PassResult | undefined {
  while (!ingestSlice(lib, 1_000));
  return lib.store.faces.isDirty() ? runPeoplePass(lib) : undefined;
}

export interface FacesFollower {
  /** Read what is queued and run the pass if due, now. */
  catchUp(): Promise<void>;
  stop(): void;
}

export function followFaces(lib: Library): FacesFollower {
  let stopped = false;
  let draining: Promise<void> | undefined;
  let passTimer: NodeJS.Timeout | undefined;
  const pass = () => {
    passTimer = undefined;
    if (stopped || !lib.db.open || !lib.store.faces.isDirty()) return;
    try {
      const r = runPeoplePass(lib);
      log.debug(r, 'people pass');
    } catch (err) {
      log.warn({ err }, 'the people pass failed');
    }
  };
  const schedulePass = () => {
    if (stopped) return;
    clearTimeout(passTimer);
    passTimer = setTimeout(pass, QUIET_MS);
    passTimer.unref();
  };
  const drain = (): Promise<void> => {
    draining ??= (async () => {
      try {
        await nextTurn();
        while (!stopped && lib.db.open && !ingestSlice(lib)) await nextTurn();
        if (!stopped && lib.db.open && lib.store.faces.isDirty()) schedulePass();
      } catch (err) {
        log.warn({ err }, 'faces could not be read');
      } finally {
        draining = undefined;
      }
    })();
    return draining;
  };
  const stops = [
    lib.events.on('sidecar:changed', (e) => {
      if (!stopped && e.kind === 'faces' && e.status !== 'generating') void drain();
    }),
    lib.events.on('shared:changed', () => {
      if (!stopped && lib.store.faces.isDirty()) schedulePass();
    }),
  ];
  const look = setInterval(() => {
    if (stopped || draining !== undefined || !lib.db.open) return;
    if (lib.store.faces.hasPending()) void drain();
    else if (passTimer === undefined && lib.store.faces.isDirty()) schedulePass();
  }, LOOK_MS).unref();
  void drain();
  return {
    async catchUp() {
      await drain();
      clearTimeout(passTimer);
      pass();
    },
    stop() {
      stopped = true;
      clearTimeout(passTimer);
      clearInterval(look);
      for (const s of stops) s();
    },
  };
}
