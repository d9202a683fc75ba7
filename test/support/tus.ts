import { blake3 } from '@napi-rs/blake-hash';

/**
 * A tus client as small as the tests of the upload routes need (daemon/routes/uploads.ts): who
 * asks (the daemon's address and the headers that sign the request in: the token, or a paired
 * browser's cookie), an upload made, its bytes sent, or both in one request.
 */
export interface TusParty {
  base: string;
  headers: Record<string, string>;
}

/** Upload-Metadata for a file NAME whose bytes hash to BLAKE3 (hex), last modified at MODIFIED (ms) when given. */
export function tusMetadata(name: string, hash: string, modified?: number): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return `filename ${b64(name)},blake3 ${b64(hash)}${modified !== undefined ? `,modified ${b64(String(modified))}` : ''}`;
}

export async function tusRequest(p: TusParty, method: string, path: string, headers: Record<string, string> = {}, body?: Buffer): Promise<Response> {
  const send = () => fetch(`${p.base}${path}`, { method, headers: { ...p.headers, 'tus-resumable': '1.0.0', ...headers }, ...(body ? { body } : {}) });
  try {
    return await send();
  } catch (err) {
    // A kept-alive connection the daemon closed after refusing the last request's body (a 413, a
    // 507, not reading it) can be picked for this one before its close is seen: the request never
    // reached the daemon, so it is sent again, once, on a connection of its own.
    const code = ((err as { cause?: { code?: string } }).cause)?.code;
    if (!['UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNRESET', 'EPIPE'].includes(code ?? '')) throw err;
    return send();
  }
}

/** An upload of LENGTH bytes named NAME made (BLAKE3: what the browser says its bytes hash to); BODY: bytes sent with it (creation-with-upload). */
export function tusCreate(p: TusParty, length: number, name: string, hash: string, body?: Buffer, modified?: number): Promise<Response> {
  return tusRequest(p, 'POST', '/api/uploads/tus', {
    'upload-length': String(length), 'upload-metadata': tusMetadata(name, hash, modified),
    ...(body ? { 'content-type': 'application/offset+octet-stream' } : {}),
  }, body);
}

/** The path of the upload a creation's answer names. */
export function tusPath(made: Response): string {
  const at = made.headers.get('location');
  if (!at) throw new Error(`no Location in the answer (${made.status})`);
  return new URL(at, 'http://x').pathname;
}

/** BYTES sent as NAME (last modified at MODIFIED): made, then sent in one PATCH; the PATCH's answer (its last byte lands the file), and the upload's path. */
export async function tusSend(p: TusParty, bytes: Buffer, name: string, modified?: number): Promise<Response & { upload?: string }> {
  const made = await tusCreate(p, bytes.length, name, blake3(bytes).toString('hex'), undefined, modified);
  if (made.status !== 201) return made;
  const upload = tusPath(made);
  return Object.assign(await tusRequest(p, 'PATCH', upload, { 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, bytes), { upload });
}
