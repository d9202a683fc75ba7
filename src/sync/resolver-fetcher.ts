import type { SidecarAddress } from '../sidecars/address.js';

import type { FetchOutcome, FetchPriority } from './transfer/fetcher.js';

export type { FetchOutcome, FetchPriority };

/*
 * What the resolver, the prefetcher and fetch-before-generate need of the transfer's Fetcher
 * (src/sync/transfer/fetcher.ts): the real Fetcher satisfies `SidecarFetcher` as it is, so these
 * parts take it as an argument and never construct one.
 */

export interface SidecarFetcher {
  /** Sources known for an address now (paired, connected, has=1, not suspect), best first. */
  sources(address: SidecarAddress): string[];
  fetch(addresses: SidecarAddress[], opts: { priority: FetchPriority; signal?: AbortSignal }): Promise<FetchOutcome[]>;
  /** What the fetcher measured of a device's speed (one source of truth for picking a source and for `auto`). */
  measured?(deviceUuid: string): { throughput: number; latencyMs: number; failStreak: number } | undefined;
  /** Whether a source not connected now may be back soon (it was online lately): a user's request may wait for it. */
  waitable?(address: SidecarAddress): boolean;
  /** Dial the sources not connected now (a user waits for one of them). */
  reconnect?(): void;
}
