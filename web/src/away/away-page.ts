import { askPassword } from './ask-password.js';
import { awayKey, setAwayHome } from './away-store.js';

/** What the relay box serves of itself; the daemon has no such address. */
const BOX_INFO = '/.well-known/vss-box.json';
/** How long the service worker may take to take the page over. */
const CONTROL_MS = 10_000;

/** Where the page is drawn (index.html's #root; the body, should it have none). */
const root = (): HTMLElement => document.getElementById('root') ?? document.body;

export type AwayStart = { paired: true } | { error: string };

/**
 * The web app opened on a relay box (issue 46 item 4): undefined anywhere else. On the box, the
 * app's requests of `/api/` go to the home device through the box's service worker
 * (away-sw.ts): it is installed and in control before the app asks anything. A pairing address
 * (`vss ui pair --away`) names the home and its ticket in the fragment, which never leaves the
 * browser: the home is kept, the key made, and the ticket redeemed through the worker.
 */
export async function awayStart(): Promise<AwayStart | undefined> {
  let info: { wss?: unknown } | undefined;
  try {
    const res = await fetch(BOX_INFO, { cache: 'no-store', credentials: 'omit' });
    info = res.ok ? ((await res.json()) as { wss?: unknown }) : undefined;
  } catch {
    info = undefined;
  }
  if (typeof info?.wss !== 'string') return undefined;
  if (!('serviceWorker' in navigator) || !window.isSecureContext || !('subtle' in crypto)) {
    return { error: 'this browser cannot reach a home device through the relay box (it needs service workers and WebCrypto over HTTPS)' };
  }
  const hash = new URLSearchParams(location.hash.slice(1));
  const ticket = hash.get('pair');
  // A shared album's link away from home (issue 61): its secret, opened through the worker as a pairing's ticket is.
  const share = hash.get('share');
  const home = hash.get('home');
  if ((ticket || share) && home) {
    await setAwayHome(home);
    history.replaceState(null, '', location.pathname + location.search);
  }
  await awayKey();
  await navigator.serviceWorker.register('sw-away.js', { scope: './' });
  if (!navigator.serviceWorker.controller) {
    const took = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), CONTROL_MS);
      navigator.serviceWorker.addEventListener('controllerchange', () => { clearTimeout(timer); resolve(true); }, { once: true });
    });
    if (!took) return { error: 'the app\'s service worker did not start: reload the page' };
  }
  if (ticket && home) {
    const res = await fetch('/api/ui/pair-away', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ ticket }) });
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
      return { error: `pairing with the home device failed: ${body.error?.message ?? `${res.status}`}` };
    }
  }
  if (share && home) {
    let password: string | undefined;
    for (let tries = 0; tries < 4; tries++) {
      const res = await fetch('/api/share/open', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', 'x-vss-ui': '1' }, body: JSON.stringify(password === undefined ? { secret: share } : { secret: share, password }) });
      if (res.ok) return { paired: true };
      const body = (await res.json().catch(() => ({}))) as { error?: { message?: string; reason?: string } };
      if (body.error?.reason !== 'password') return { error: `the shared album could not be opened: ${body.error?.message ?? `${res.status}`}` };
      const typed = await askPassword(root(), password === undefined ? 'This album is shared with a password: type the one you were given.' : 'That is not the password. Type it again.');
      if (typed === null) return { error: 'the shared album needs its password' };
      password = typed;
    }
    return { error: 'the shared album needs its password' };
  }
  return { paired: true };
}
