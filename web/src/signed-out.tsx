import { Fragment, useSyncExternalStore } from 'react';
import { SIGNED_OUT, type SignedOutReason } from '../../src/api/remote/signed-out.js';

/**
 * The session ended while the app was open (a 401 from the daemon: this browser revoked, the
 * daemon restarted): the app gives way to a page that says why, in the daemon's own words
 * (src/api/remote/signed-out.ts), rather than an error banner over views that can read nothing.
 */
let reason: SignedOutReason | null = null;
const listeners = new Set<() => void>();

/** The daemon answered 401 for REASON: from now on the app shows the signed-out page. */
export function signedOut(why: SignedOutReason): void {
  if (reason === why) return;
  reason = why;
  for (const l of listeners) l();
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** Why this page's session ended, or null while it lives. */
export function useSignedOut(): SignedOutReason | null {
  return useSyncExternalStore(subscribe, () => reason);
}

export function SignedOutPage({ reason: why }: { reason: SignedOutReason }) {
  const said = SIGNED_OUT[why];
  return (
    <main id="main" tabIndex={-1} className="page signed-out" data-reason={why}>
      <h1>Not signed in</h1>
      <p>{withCode(said.why)}</p>
      <p>{withCode(said.next)}</p>
    </main>
  );
}

/** TEXT with its `quoted` parts (commands) as code. */
function withCode(text: string) {
  return text.split('`').map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : <Fragment key={i}>{part}</Fragment>));
}
