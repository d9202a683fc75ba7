/** How long an answer is remembered: longer than any dial waits. */
const REMEMBERED_MS = 60_000;
/** Keys remembered at most (the oldest forgotten first): a dial names one or two. */
const MAX_KEYS = 256;

/**
 * The keys that answered this node's dials: each peer whose Noise handshake completed on a
 * connection this node opened (the gater is asked about it then), with when. A dial that then
 * fails was hung up on by a device that answered with its key, not left unanswered: what a
 * device with no pairing code open does to a stranger, or a relay that will not carry it.
 */
export class AnsweredKeys {
  private readonly at = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  note(peerId: string): void {
    const t = this.now();
    this.at.delete(peerId);
    this.at.set(peerId, t);
    for (const [p, when] of this.at) {
      if (this.at.size <= MAX_KEYS && t - when <= REMEMBERED_MS) break;
      this.at.delete(p);
    }
  }

  /** Whether PEERID's key answered a dial at SINCE or later. */
  answeredSince(peerId: string, since: number): boolean {
    return (this.at.get(peerId) ?? -Infinity) >= since;
  }

  /** The key that answered last at SINCE or later, if any (a dial of an address that names none). */
  lastSince(since: number): string | undefined {
    let last: string | undefined;
    for (const [p, when] of this.at) if (when >= since) last = p;
    return last;
  }
}
