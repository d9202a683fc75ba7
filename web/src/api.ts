/**
 * The one door to the daemon: same-origin fetches with the session cookie and the `X-VSS-UI`
 * header the daemon asks of every cookie-authenticated write (a custom header cannot be sent
 * cross-site without a preflight, which the daemon never answers). Errors carry the daemon's message.
 */
import { SIGNED_OUT, signedOutReason } from '../../src/api/remote/signed-out.js';
import { signedOut } from './signed-out.js';

export class ApiError extends Error {
  constructor(message: string, readonly status: number, readonly code: string) {
    super(message);
    this.name = 'ApiError';
  }
}

const UI_HEADER = { 'X-VSS-UI': '1' } as const;

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

function init(method: Method, body: unknown, signal: AbortSignal | undefined): RequestInit {
  const headers: Record<string, string> = { ...UI_HEADER, accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return {
    method,
    headers,
    credentials: 'same-origin',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    ...(signal ? { signal } : {}),
  };
}

async function errorOf(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  if (res.status === 401) {
    // The session ended (or never was): the app says why on a page of its own (signed-out.tsx).
    let reason: unknown;
    try { reason = (JSON.parse(text) as { error?: { reason?: unknown } }).error?.reason; } catch { /* not JSON: why is not known */ }
    const why = signedOutReason(reason) ?? 'expired';
    signedOut(why);
    return new ApiError(`not signed in: ${SIGNED_OUT[why].why}`, 401, 'UNAUTHORIZED');
  }
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string; path?: string } };
    if (body.error?.message) {
      const where = body.error.path !== undefined && !body.error.message.includes(body.error.path) ? ` (${body.error.path})` : '';
      return new ApiError(body.error.message + where, res.status, body.error.code ?? 'ERROR');
    }
  } catch { /* not JSON: say what came */ }
  return new ApiError(text.trim().slice(0, 300) || `${res.status} ${res.statusText}`, res.status, 'HTTP');
}

/** A JSON operation: its answer, or an ApiError with the daemon's message. */
export async function api<T>(method: Method, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, init(method, body, signal));
  } catch (err) {
    if (isAbort(err)) throw err;
    throw new ApiError('the daemon cannot be reached: is it still running? (`vss ui` starts it)', 0, 'NETWORK');
  }
  if (!res.ok) throw await errorOf(res);
  const text = await res.text();
  return (text === '' ? null : JSON.parse(text)) as T;
}

export const get = <T>(path: string, signal?: AbortSignal) => api<T>('GET', path, undefined, signal);

/**
 * A streamed operation (NDJSON): ON_EVENT for each event line (name, payload) and each callback
 * line (name, arguments) as it comes, then the result line's value; an error line becomes an ApiError.
 */
export async function streamed<T>(path: string, body: unknown, onEvent: (name: string, payload: unknown) => void, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, init('POST', body, signal));
  } catch (err) {
    if (isAbort(err)) throw err;
    throw new ApiError('the daemon cannot be reached: is it still running?', 0, 'NETWORK');
  }
  if (!res.ok) throw await errorOf(res);
  if (!res.body) throw new ApiError('the daemon sent no answer', res.status, 'HTTP');
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (value) buffer += value;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line === '') continue;
      const msg = JSON.parse(line) as { event?: string; payload?: unknown; call?: string; args?: unknown[]; result?: unknown; error?: { code?: string; message?: string } };
      if ('result' in msg) return msg.result as T;
      if (msg.error) throw new ApiError(msg.error.message ?? 'the operation failed', res.status, msg.error.code ?? 'ERROR');
      if (typeof msg.event === 'string') onEvent(msg.event, msg.payload);
      // A callback of the API (a job's id once queued: onQueued) comes as its name and arguments.
      if (typeof msg.call === 'string') onEvent(msg.call, msg.args ?? []);
    }
    if (done) throw new ApiError('the daemon ended the answer before its result', res.status, 'HTTP');
  }
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}
