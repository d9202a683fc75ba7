import type { Stream } from '@libp2p/interface';
import type { Logger } from 'pino';
import { PeerChannel } from '../messages/channel.js';
import { PAIRING_TTL_MS } from '../pairing/types.js';

/** Windows a relay keeps open at once: one per paired device that has a pairing code open, at most. */
const MAX_WINDOWS = 64;
/** How long asking a relay to carry strangers (or to stop) may take. */
export const WINDOW_ASK_MS = 3_000;

/**
 * The paired devices a relay carries strangers' circuits to now: each asked while a pairing code
 * of its was open (`relayWindow.open`), for no longer than a code lives, so a device elsewhere
 * can join it by an invite that names only the relay. A stranger reaches no one else through the
 * relay, gets no slot on it, and is hung up on once no window is open.
 */
export class RelayWindows {
  private readonly until = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  /** ONCLOSED: a window ended (its time, or its device closed it): strangers may have to go. */
  constructor(private readonly onClosed: () => void, private readonly now: () => number = Date.now) {}

  /** PEERID (a paired device) asks over STREAM to open or close its window; taken when this device relays (RELAYING). */
  async serve(stream: Stream, peerId: string, relaying: boolean, log: Logger): Promise<void> {
    const ch = new PeerChannel(stream, 'relayWindow');
    const { body } = await ch.receive(['relayWindow.open'], { signal: AbortSignal.timeout(WINDOW_ASK_MS) });
    await ch.close();
    if (!relaying) return;
    this.set(peerId, body.for_ms);
    log.info({ device: peerId, for_ms: body.for_ms }, body.for_ms > 0 ? 'carrying strangers to a device with a pairing code open' : 'no longer carrying strangers to a device');
  }

  /** Open PEERID's window for FORMS (capped at a code's life), or close it with 0. */
  set(peerId: string, forMs: number): void {
    clearTimeout(this.timers.get(peerId));
    this.timers.delete(peerId);
    if (forMs <= 0) {
      if (this.until.delete(peerId)) this.onClosed();
      return;
    }
    if (!this.until.has(peerId) && this.until.size >= MAX_WINDOWS) return;
    const ms = Math.min(forMs, PAIRING_TTL_MS);
    this.until.set(peerId, this.now() + ms);
    const t = setTimeout(() => this.set(peerId, 0), ms);
    t.unref();
    this.timers.set(peerId, t);
  }

  isOpen(peerId: string): boolean {
    const t = this.until.get(peerId);
    return t !== undefined && t > this.now();
  }

  anyOpen(): boolean {
    for (const t of this.until.values()) if (t > this.now()) return true;
    return false;
  }

  clear(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.until.clear();
  }
}
