import type { ContentKind } from '../content/kinds.js';

/**
 * Every fact of one sidecar kind (DESIGN §2): a kind is one spec in `sidecars/kinds/<kind>.ts`,
 * and every table about kinds (the kinds table, the generation schedule, the default policy, the
 * prefetch defaults, the typical time to make one) is derived from the specs. Every field is
 * required, so a new kind that forgets a fact does not compile.
 */
export type SidecarKindSpec = KindFacts & (MadeByGenerator | FoundByFinder);

/**
 * How a kind's sidecars come to be. `generator`: a generator in `src/generators/` makes them
 * (`generators/registry.ts` must name one). `finder`: the indexer finds the user's own file beside
 * the originals (`indexer/finders.ts` must name one); such a sidecar is tracked, never made.
 */
export type MadeBy = 'generator' | 'finder';

interface KindFacts {
  /** Folder under the content's sidecar folder. */
  dir: string;
  /** Allowed file formats (extensions); the first is the default. */
  formats: readonly [string, ...string[]];
  /** Fixed variants with their size parameter, or 'open' where the variant is a name (a model id). */
  variants: Readonly<Record<string, number>> | 'open';
  /** Content kinds this sidecar can be made from (or found for); empty where it only ever exists as a reference. */
  from: readonly ContentKind[];
  /** The largest file of this kind vss accepts from another device (an announced size above it is a lie). */
  maxBytes: number;
  /** Which of a device's sidecars of this kind are fetched ahead from peers by default (sync-settings.ts). */
  prefetch: PrefetchClass;
  /**
   * Typical time to make one on a desktop (ms), against which the resolver's `auto` weighs a fetch;
   * 0 for a kind never made here.
   */
  typicalMs: number;
  /**
   * Whether making it needs a model the user adds (`vss models add`): a content a missing model
   * left "not applicable" is asked again when one is added.
   */
  needsModel: boolean;
  /**
   * The variants a shared album's guest may be shown (issue 61): pictures to look at and a video
   * to play; never text, faces, embeddings or anything else read from a photo.
   */
  guest: readonly string[];
}

/**
 * eager: fetched in the background for contents this device knows; lazy: when a user or a job of
 * this device asks; never: only when a user asks (a job makes it here).
 */
export type PrefetchClass = 'eager' | 'lazy' | 'never';

interface MadeByGenerator {
  /**
   * A generator makes every variant, or, variant by variant, some are made and some found (Live
   * Photo movies: `embedded` cut out of a motion photo, `original` the user's own movie).
   */
  made: 'generator' | Readonly<Record<string, MadeBy>>;
  /** When its jobs run and how long one may take (jobs/schedule.ts). */
  schedule: KindSchedule;
  /** What the default generation policy makes of it (jobs/policy.ts). */
  policy: KindPolicy;
}

interface FoundByFinder {
  made: 'finder';
  /** Never made, so never scheduled. */
  schedule: null;
  /** Never made, so no policy may name it. */
  policy: null;
}

export interface KindSchedule {
  /** Lower runs first. */
  priority: number;
  /**
   * A kind it is made from when that one is ready (the fingerprint from a thumbnail): a job of it
   * waits while its content's job of that kind runs here or is about to, rather than decode the
   * source again beside it (jobs/queue.ts).
   */
  after?: string;
  /** Most jobs of the kind at once (the runner's global limit applies too). */
  concurrency: number;
  /** Time one job may take: a base plus a share per MiB of input, capped. */
  timeout: { baseMs: number; perMiBMs: number; maxMs: number };
}

export interface KindPolicy {
  /** The variants the kind named alone in a policy stands for (`*`: every registered model). */
  alone: readonly string[];
  /** The variants a desktop makes by default (DESIGN §8); empty: none. */
  desktop: readonly string[];
  /** The variants a mobile device makes by default; empty: none. */
  mobile: readonly string[];
}
