import { GENERATORS } from '../generators/registry.js';
import type { Generator, GeneratorSettings } from '../generators/types.js';
import type { Library } from '../library/library.js';
import { sidecarAddress } from '../sidecars/address.js';
import { SIDECAR_KINDS, type SidecarKind } from '../sidecars/kinds.js';
import { SidecarManager } from '../sidecars/manager.js';
import type { ContentRecord } from '../store/contents.js';
import { deviceType, effectivePolicy } from './policy.js';
import { FOREGROUND_PRIORITY, GENERATION_SCHEDULE, MAX_ATTEMPTS } from './schedule.js';
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
  const { contents, entries, jobs, notApplicable } = lib.store;
  const where = {
    ...(opts.locationId !== undefined ? { locationId: opts.locationId } : {}),
    ...(opts.contentIds ? { only: opts.contentIds } : {}),
  };

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
  const policies = new Map<string | null, ReturnType<typeof effectivePolicy>>();
  const models = new Set(embeddingVariants(opts.settings));
  const queueContent = (c: ContentRecord, generation: string | null) => {
    let policy = policies.get(generation);
    if (!policy) {
      policy = effectivePolicy({ location: generation, library: lib.config.settings.generation, deviceType: dtype });
      policies.set(generation, policy);
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
      // What the content has already, in one indexed read: its sidecar rows and the ones it never gets.
      have ??= new Map(notApplicable.knownOf(c.uuid).map((r) => [`${r.kind}/${r.variant}`, r.status]));
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
      if (owed && schedule && jobs.enqueue({ kind: gen.kind, contentUuid: c.uuid, priority: schedule.priority, maxAttempts: MAX_ATTEMPTS, bytes: c.size })) result.queued++;
    }
  };

  // One page per transaction, so a `jobs cancel` or `jobs list` beside a big scan never waits long.
  let after = 0;
  for (let more = true; more;) {
    lib.store.immediate(() => {
      const page = contents.inDeepLocations(lib.deviceId, after, QUEUE_BATCH, where);
      more = page.length === QUEUE_BATCH;
      if (page.length === 0) return;
      after = page[page.length - 1]!.id;
      const places = entries.deepPlacesOf(page.map((c) => c.id), lib.deviceId, opts.locationId);
      // Both in content id order: each content once per deep location it is in, as a scan sees it.
      let p = 0;
      for (const c of page) {
        while (p < places.length && places[p]!.content_id < c.id) p++;
        for (; p < places.length && places[p]!.content_id === c.id; p++) queueContent(c, places[p]!.generation);
      }
    });
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
  const size = lib.store.contents.byUuid(contentUuid)?.size ?? 0;
  return lib.store.jobs.enqueueUrgent({ kind, contentUuid, priority: FOREGROUND_PRIORITY, maxAttempts: MAX_ATTEMPTS, bytes: size });
}
