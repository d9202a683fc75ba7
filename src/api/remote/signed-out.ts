/**
 * Why a browser is not signed in, as the daemon's 401 names it (`error.reason` of the API's
 * answer; the "Not signed in" page of /ui/) and the words each reason is told in: one table, read
 * by the daemon's page and by the web app, which shows the same when its session ends while it
 * is open. A reason is worked out from what the request itself carries (its cookie, its address),
 * so it tells the party nothing it did not bring.
 */
export type SignedOutReason = 'none' | 'expired' | 'revoked' | 'ticket';

const SIGN_IN = 'On the computer, run `vss ui` and open the address it prints (it signs in one browser, once); a phone or another browser is paired with `vss ui pair` there (or Devices, “Add a phone or browser”).';

export const SIGNED_OUT: Readonly<Record<SignedOutReason, { why: string; next: string }>> = {
  /** No session cookie came: this browser was never signed in here (or its cookies were cleared). */
  none: { why: 'This browser has not been signed in to vss on this computer.', next: SIGN_IN },
  /** A session cookie came that no longer signs in: `vss ui`'s sessions end when the daemon restarts or after 12 hours unused. */
  expired: { why: 'This browser’s session has ended: the daemon restarted since, or the session went unused for 12 hours.', next: SIGN_IN },
  /** The cookie is that of a paired browser the computer's user revoked. */
  revoked: { why: 'This browser was revoked on the computer: it no longer sees the library.', next: 'To use it again, pair it anew: on the computer, `vss ui pair` (or Devices, “Add a phone or browser”) makes an address to open here.' },
  /** A sign-in address (`/ui/?ticket=…`) that no longer signs in. */
  ticket: { why: 'This sign-in address was used already, has expired (a minute after `vss ui` printed it, five after `vss ui pair`), or is not from this daemon.', next: SIGN_IN },
};

/** REASON when it is one of the table's (an answer's field, read by the web app), else undefined. */
export function signedOutReason(reason: unknown): SignedOutReason | undefined {
  return typeof reason === 'string' && Object.hasOwn(SIGNED_OUT, reason) ? (reason as SignedOutReason) : undefined;
}
