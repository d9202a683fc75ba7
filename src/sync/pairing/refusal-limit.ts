/**
 * Refused pairing attempts per peer, remembered for a window: a peer that keeps sending hellos
 * that name no open code (or junk) is answered at once, without reading, once it has had its
 * share. A stranger can make new keys at will, so this bounds the work one connection makes the
 * host do, not what a determined stranger can send; what protects the code is that such hellos no
 * longer count against it (host.ts). Memory is bounded: at most MAX_PEERS peers, each with at most
 * PER_WINDOW times.
 */
export interface RefusalLimitOptions {
  perWindow?: number;
  windowMs?: number;
  maxPeers?: number;
  now?: () => number;
}

/** Refusals one peer gets in a window before it is turned away unheard: more than a person retyping a code. */
const PER_WINDOW = 8;
const WINDOW_MS = 60_000;
const MAX_PEERS = 1024;

export class RefusalLimit {
  private readonly times = new Map<string, number[]>();
  private readonly perWindow: number;
  private readonly windowMs: number;
  private readonly maxPeers: number;
  private readonly now: () => number;

  constructor(opts: RefusalLimitOptions = {}) {
    this.perWindow = opts.perWindow ?? PER_WINDOW;
    this.windowMs = opts.windowMs ?? WINDOW_MS;
    this.maxPeers = opts.maxPeers ?? MAX_PEERS;
    this.now = opts.now ?? Date.now;
  }

  /** Whether PEER has refusals left in the window (it may be heard). */
  allows(peer: string): boolean {
    return this.recent(peer).length < this.perWindow;
  }

  /** One refusal of PEER. */
  note(peer: string): void {
    const kept = this.recent(peer);
    kept.push(this.now());
    if (kept.length > this.perWindow) kept.shift();
    // Most recently refused last: the peer refused longest ago is forgotten first.
    this.times.delete(peer);
    this.times.set(peer, kept);
    while (this.times.size > this.maxPeers) this.times.delete(this.times.keys().next().value as string);
  }

  /** Peers remembered now (for tests of the bound). */
  get size(): number {
    return this.times.size;
  }

  private recent(peer: string): number[] {
    const since = this.now() - this.windowMs;
    const all = this.times.get(peer);
    if (!all) return [];
    const kept = all.filter((t) => t > since);
    if (kept.length === 0) this.times.delete(peer);
    else if (kept.length !== all.length) this.times.set(peer, kept);
    return kept;
  }
}
