import type { ContentKind } from '../content/kinds.js';
import { GENERATORS } from '../generators/registry.js';
import type { Generator, GeneratorSettings } from '../generators/types.js';
import type { Library } from '../library/library.js';
import { sidecarAddress } from '../sidecars/address.js';
import { SIDECAR_KINDS, type SidecarKind } from '../sidecars/kinds.js';
import { SidecarManager } from '../sidecars/manager.js';
import { deviceType, effectivePolicy } from './policy.js';
import { FOREGROUND_PRIORITY, GENERATION_SCHEDULE, MAX_ATTEMPTS } from './schedule.js';

import { JobStore } from './store.js';
import { metadataOf } from './source-file.js';

/** Contents read and queued per transaction. */
const QUEUE_BATCH = 2000;

export interface QueueResult {
  /** Sidecars newly recorded pending. */
  pending: number;
  /** Jobs newly queued. */
  queued: number;
  /** Kinds the policy wants but this device cannot make, each with its reason (reported once). */
  unavailable: Array<{ kind: string; reason: string }>;
}

interface ContentPageRow {
  id: number;
  uuid: string;
  kind: ContentKind;
  mime: string;
  size: number;
  media_metadata: string | null;
}

type ContentRow = Omit<ContentPageRow, 'id'> & { generation: string | null };

/** Registered embedding models as variants (variants are lowercase names). */
export function embeddingVariants(settings: GeneratorSettings): string[] {
  return (settings.models.embeddings ?? []).map((m) => m.id);
}

/**
 * The intelligence-queueing phase (DESIGN §4 step 1): for each content of a deep location, decide
 * from its kind and the generation policy which sidecars it needs, record the missing ones
 * `pending` and queue one job per (kind, content). Sidecars already ready, failed or in the
 * works are left alone, so a rescan queues nothing twice and never loops over a failure.
 */
export function queueGeneration(lib: Library, opts: {
  locationId?: number; settings: GeneratorSettings; generators?: readonly Generator[];
  /** Only these contents (by row id): what a watched batch just identified. */
  contentIds?: readonly number[];
}): QueueResult {
  const generators = opts.generators ?? GENERATORS;
  // The contents of this device's deep locations (or of one), a page at a time by content id, and
  // the locations each page's contents are in: memory is bounded by a page, not by the library.
  const inDeep = opts.locationId === undefined ? "l.device_id = ? AND l.index_mode = 'deep'" : "l.device_id = ? AND l.index_mode = 'deep' AND l.id = ?";
  const deepArgs = opts.locationId === undefined ? [lib.deviceId] : [lib.deviceId, opts.locationId];
  const contentPage = lib.db.prepare(
    `SELECT c.id, c.uuid, c.kind, c.mime, c.size, c.media_metadata FROM content_identities c
     WHERE c.id > ? ${opts.contentIds ? 'AND c.id IN (SELECT value FROM json_each(?))' : ''} AND EXISTS (SELECT 1 FROM entries e JOIN locations l ON l.id = +e.location_id WHERE e.content_id = c.id AND ${inDeep})
     ORDER BY c.id LIMIT ?`,
  );
  // By content id (`+e.location_id`: not by the (location, inode) index, which reads the whole location each page).
  const placesOf = lib.db.prepare(
    `SELECT DISTINCT e.content_id AS id, l.id AS location_id, l.generation FROM entries e JOIN locations l ON l.id = +e.location_id
     WHERE e.content_id IN (SELECT value FROM json_each(?)) AND ${inDeep} ORDER BY e.content_id, l.id`,
  );

  const dtype = deviceType();
  const result: QueueResult = { pending: 0, queued: 0, unavailable: [] };
  const availability = new Map<SidecarKind, string | null>();
  const unavailableSeen = new Set<string>();
  const noteUnavailable = (kind: string, reason: string) => {
    if (unavailableSeen.has(kind)) return;
    unavailableSeen.add(kind);
    result.unavailable.push({ kind, reason });
  };
  const manager = new SidecarManager(lib);
  const store = new JobStore(lib.db);
  const policies = new Map<string | null, ReturnType<typeof effectivePolicy>>();
  const models = new Set(embeddingVariants(opts.settings));
  // What each content has already, in one indexed read: its sidecar rows and the ones it never gets.
  const known = lib.db.prepare(
    `SELECT kind, variant, status FROM sidecars WHERE content_uuid = ?
     UNION ALL SELECT kind, variant, 'not-applicable' FROM sidecar_not_applicable WHERE content_uuid = ?`,
  );

  const queueContent = (c: ContentRow) => {
    let policy = policies.get(c.generation);
    if (!policy) {
      policy = effectivePolicy({ location: c.generation, library: lib.config.settings.generation, deviceType: dtype });
      policies.set(c.generation, policy);
    }
    const metadata = metadataOf(c.media_metadata);
    let have: Map<string, string> | undefined;
    for (const gen of generators) {
      const wanted = policy[gen.kind];
      if (!wanted || wanted.length === 0) continue;
      let variants = wanted.includes('*') ? [...models] : [...wanted];
      if (gen.kind === 'embeddings') {
        // Only models this device has: a policy naming another is noted once, not failed per file.
        const missing = variants.filter((v) => !models.has(v));
        if (missing.length && (SIDECAR_KINDS.embeddings.from as readonly string[]).includes(c.kind)) noteUnavailable(gen.kind, `no embeddings model ${missing.join(', ')} installed: run vss models add embeddings DIR`);
        variants = variants.filter((v) => models.has(v));
      }
      // With no model registered there is no variant to ask about; the kinds table says whether
      // this content would have had one, which is what the "not made" note needs.
      const accepted = variants.length
        ? variants.filter((v) => gen.accepts({ kind: c.kind, mime: c.mime, metadata }, v))
        : (SIDECAR_KINDS[gen.kind].from as readonly string[]).includes(c.kind) && wanted.includes('*') ? ['*'] : [];
      if (accepted.length === 0) continue;
      if (!availability.has(gen.kind)) {
        const av = gen.availability(opts.settings);
        availability.set(gen.kind, av.ok ? null : av.reason);
      }
      const reason = availability.get(gen.kind);
      if (reason || variants.length === 0) {
        noteUnavailable(gen.kind, reason ?? `no ${gen.kind} model installed: run vss models add ${gen.kind} DIR`);
        continue;
      }
      have ??= new Map((known.all(c.uuid, c.uuid) as Array<{ kind: string; variant: string; status: string }>).map((r) => [`${r.kind}/${r.variant}`, r.status]));
      const format = SIDECAR_KINDS[gen.kind].formats[0];
      let owed = false;
      for (const v of accepted) {
        const status = have.get(`${gen.kind}/${v}`);
        if (status === undefined) {
          manager.recordPending(sidecarAddress(c.uuid, gen.kind, v, format));
          result.pending++;
          owed = true;
        } else if (status === 'pending' || status === 'missing') {
          owed = true;
        }
      }
      const schedule = GENERATION_SCHEDULE[gen.kind];
      if (owed && schedule && store.enqueue({ kind: gen.kind, contentUuid: c.uuid, priority: schedule.priority, maxAttempts: MAX_ATTEMPTS, bytes: c.size })) result.queued++;
    }
  };

  // One page per transaction, so a `jobs cancel` or `jobs list` beside a big scan never waits long.
  let after = 0;
  for (let more = true; more;) {
    lib.db.transaction(() => {
      const only = opts.contentIds ? [JSON.stringify(opts.contentIds)] : [];
      const page = contentPage.all(after, ...only, ...deepArgs, QUEUE_BATCH) as ContentPageRow[];
      more = page.length === QUEUE_BATCH;
      if (page.length === 0) return;
      after = page[page.length - 1]!.id;
      const places = placesOf.all(JSON.stringify(page.map((c) => c.id)), ...deepArgs) as Array<{ id: number; generation: string | null }>;
      // Both in content id order: each content once per deep location it is in, as a scan sees it.
      let p = 0;
      for (const c of page) {
        while (p < places.length && places[p]!.id < c.id) p++;
        for (; p < places.length && places[p]!.id === c.id; p++) queueContent({ ...c, generation: places[p]!.generation });
      }
    }).immediate();
  }
  return result;
}

/**
 * Queue the job that makes one sidecar a user asked for (`vss sidecars path` on a missing one)
 * at the foreground priority, or raise the background job already queued for it: it goes ahead
 * of the background queue, in the runner's foreground slot when every other slot is busy.
 */
export function queueSidecarJob(lib: Library, contentUuid: string, kind: SidecarKind): boolean {
  const schedule = GENERATION_SCHEDULE[kind];
  if (!schedule) return false;
  const size = (lib.db.prepare('SELECT size FROM content_identities WHERE uuid = ?').get(contentUuid) as { size: number } | undefined)?.size ?? 0;
  return new JobStore(lib.db).enqueueUrgent({ kind, contentUuid, priority: FOREGROUND_PRIORITY, maxAttempts: MAX_ATTEMPTS, bytes: size });
}
