import type { Stream } from '@libp2p/interface';
import type { Logger } from 'pino';
import { PeerChannel } from '../messages/channel.js';

/** Devices a relay box carries browsers to, at most (each told the box its own list). */
const MAX_HOMES = 256;
/** Browsers of one device (as BrowserDevices bounds them). */
const MAX_PER_HOME = 64;
/** How long a device telling its list may take. */
const TELL_MS = 3_000;

/**
 * As a relay box (issue 46 item 4): the browsers each device paired away from home told it of,
 * the only strangers carried to that device, and to no one else. In memory: a device tells its
 * list again at every connection (a restarted box has none until then) and at every change.
 */
export class RelayedBrowsers {
  private readonly byHome = new Map<string, Set<string>>();
  private readonly homesOf = new Map<string, Set<string>>();

  /** HOME (a paired device) tells its whole list over STREAM; kept when this device relays (RELAYING). */
  async serve(stream: Stream, home: string, relaying: boolean, log: Logger): Promise<void> {
    const ch = new PeerChannel(stream, 'relayBrowsers');
    const { body } = await ch.receive(['relayBrowsers.set'], { signal: AbortSignal.timeout(TELL_MS) });
    await ch.close();
    if (!relaying) return;
    this.set(home, body.browsers);
    log.info({ device: home, browsers: body.browsers.length }, 'the browsers a device paired away from home, carried to it');
  }

  /** HOME's browsers are BROWSERS now (its whole list). */
  set(home: string, browsers: readonly string[]): void {
    for (const b of this.byHome.get(home) ?? []) {
      const homes = this.homesOf.get(b);
      homes?.delete(home);
      if (homes?.size === 0) this.homesOf.delete(b);
    }
    this.byHome.delete(home);
    if (browsers.length === 0) return;
    if (this.byHome.size >= MAX_HOMES) return;
    const list = new Set(browsers.slice(0, MAX_PER_HOME));
    this.byHome.set(home, list);
    for (const b of list) {
      const homes = this.homesOf.get(b) ?? new Set<string>();
      homes.add(home);
      this.homesOf.set(b, homes);
    }
  }

  /** Whether SOURCE is one of DESTINATION's browsers. */
  to(source: string, destination: string): boolean {
    return this.byHome.get(destination)?.has(source) === true;
  }

  /** Whether PEER is any device's browser. */
  known(peer: string): boolean {
    return this.homesOf.has(peer);
  }
}
