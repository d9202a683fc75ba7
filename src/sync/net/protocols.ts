/**
 * Every protocol vss speaks between devices, with its version and its bounds: one table, read by
 * the node (which registers them), the handlers and the clients. A new version is a new row.
 */
export const PROTOCOLS = {
  /** The only protocol an unpaired peer may open, and only while a pairing code is open. */
  pair: { id: '/vss/pair/1.0.0', maxMessageBytes: 16 * 1024, pairedOnly: false, maxInboundStreams: 2 },
  /** Availability: digests (chunks of at most 32k entries, ~1.7 MB), deltas and "who has X?". */
  availability: { id: '/vss/availability/1.0.0', maxMessageBytes: 4 * 1024 * 1024, pairedOnly: true, maxInboundStreams: 8 },
  /** Sidecar transfer by address. Headers are messages; file bytes follow, bounded by the header. */
  fetch: { id: '/vss/fetch/1.0.0', maxMessageBytes: 256 * 1024, pairedOnly: true, maxInboundStreams: 16 },
} as const satisfies Record<string, { id: string; maxMessageBytes: number; pairedOnly: boolean; maxInboundStreams: number }>;

export type ProtocolName = keyof typeof PROTOCOLS;
