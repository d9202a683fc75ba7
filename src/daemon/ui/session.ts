import { tokenMatches } from '../token.js';

/**
 * The web UI's browser session (DESIGN §12, issue 11). A browser cannot send the bearer token
 * on an `<img>` or an EventSource, so the token, handed over once in `/ui/?token=T`, becomes an
 * HttpOnly, SameSite=Strict cookie that authenticates /api/** like the token. A cookie is sent
 * by the browser on its own, so a request it alone authenticates that changes something must
 * also carry `X-VSS-UI: 1`: a page of another site cannot add a custom header without a CORS
 * preflight, which this server never answers.
 */
export const SESSION_COOKIE = 'vss_session';
export const UI_HEADER = 'x-vss-ui';

/** Tokens are hex; a cookie value of any other shape is not ours (and never reaches the comparison). */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,256}$/;

/** The `vss_session` cookie's value in a Cookie header, if there is one of the token's shape. */
export function sessionCookie(header: string | undefined): string | undefined {
  if (!header || header.length > 8192) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    if (TOKEN_SHAPE.test(value)) return value;
  }
  return undefined;
}

/** Whether the request's cookie carries the token. */
export function cookieAuthenticates(cookieHeader: string | undefined, token: string): boolean {
  const value = sessionCookie(cookieHeader);
  return value !== undefined && tokenMatches(value, token);
}

/** The Set-Cookie value that starts a session: the token, for this origin's every path, never to scripts or other sites. */
export function sessionSetCookie(token: string): string {
  return `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/** GET and HEAD change nothing: a cookie alone may authenticate them. */
export function needsUiHeader(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD';
}
