import type { SidecarAddress } from '../sidecars/address.js';

/*
 * What the resolver, the prefetcher and fetch-before-generate need of the transfer's Fetcher
 * (src/sync/transfer/fetcher.ts, the fixed interface of issue 10): the real Fetcher satisfies
 * `SidecarFetcher` as it is, so these parts take it as an argument and never construct one.
 */

export type FetchPriority = 'user' | 'job' | 'prefetch';

export type FetchOutcome =
  | { address: SidecarAddress; ok: true; path: string; from: string; bytes: number }
  | { address: SidecarAddress; ok: false; reason: string; tried: string[] };

export interface SidecarFetcher {
  /** Sources known for an address now (paired, connected, has=1, not suspect), best first. */
  sources(address: SidecarAddress): string[];
  fetch(addresses: SidecarAddress[], opts: { priority: FetchPriority; signal?: AbortSignal }): Promise<FetchOutcome[]>;
}
