/**
 * Every protocol vss speaks between devices, with its version and its bounds: one table, read by
 * the node (which registers them), the handlers and the clients. A new version is a new row.
 */
export const PROTOCOLS = {
  /** The only protocol an unpaired peer may open, and only while a pairing code is open. */
  pair: { id: '/vss/pair/1.0.0', maxMessageBytes: 16 * 1024, pairedOnly: false },
  /** Availability: digests, deltas and "who has X?". */
  availability: { id: '/vss/availability/1.0.0', maxMessageBytes: 64 * 1024 * 1024, pairedOnly: true },
  /** Sidecar transfer by address. Headers are messages; file bytes follow, bounded by the header. */
  fetch: { id: '/vss/fetch/1.0.0', maxMessageBytes: 256 * 1024, pairedOnly: true },
} as const satisfies Record<string, { id: string; maxMessageBytes: number; pairedOnly: boolean }>;

export type ProtocolName = keyof typeof PROTOCOLS;
