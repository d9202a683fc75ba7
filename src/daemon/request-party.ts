import type { IncomingMessage } from 'node:http';
import type { BrowserRights } from '../device/browser-devices.js';
import type { ShareScope } from '../device/shares.js';

/**
 * Who a request of the API is, as the server's hook found it: a request from the home network
 * (`--lan`), and the paired browser whose session it carries (null: this machine's user, by the
 * token or a `vss ui` session). Routes that hand out something bounded (event streams) share it
 * out by party, so a phone cannot take what this machine's own clients need.
 */
export interface Party {
  lan: boolean;
  browser: { id: string; name: string; may: BrowserRights; share?: ShareScope } | null;
}

const parties = new WeakMap<IncomingMessage, Party>();

export function setParty(req: IncomingMessage, party: Party): void {
  parties.set(req, party);
}

/** REQ's party; this machine's user when the hook said nothing of it (the socket, the token). */
export function partyOf(req: IncomingMessage): Party {
  return parties.get(req) ?? { lan: false, browser: null };
}
