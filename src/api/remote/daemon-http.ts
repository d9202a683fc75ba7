import { Agent, request, type IncomingMessage } from 'node:http';
import { UsageError, VSS_ERROR_CODES, VssError } from '../../core/errors.js';
import { fillPath, OPERATIONS, type ErrorBody, type OperationName, type StreamLine } from './protocol.js';

export interface DaemonAddress {
  socket: string;
  token: string;
}

export interface CallInput {
  params?: Record<string, string | number>;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  signal?: AbortSignal;
}

/** Biggest JSON answer read into memory (a page of 1,000 rows is far below). */
const MAX_ANSWER = 64 * 1024 * 1024;
const KNOWN_CODES = new Set<string>(VSS_ERROR_CODES);

/**
 * HTTP to the daemon's Unix socket with its token: one call per operation of the protocol
 * table. The daemon's errors come back as the same typed errors the core throws in-process, so
 * the CLI prints the same line and exits with the same code.
 */
export class DaemonHttp {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 4 });

  constructor(readonly address: DaemonAddress) {}

  /** A JSON operation: its answer. */
  async call<T>(op: OperationName, input: CallInput = {}): Promise<T> {
    const res = await this.send(op, input);
    let text: string;
    try {
      text = await readAll(res, MAX_ANSWER);
    } catch (err) {
      throw this.stopped(err, input.signal);
    }
    const value = text === '' ? null : JSON.parse(text) as unknown;
    if ((res.statusCode ?? 500) >= 400) throw toError(value);
    return value as T;
  }

  /** A streamed operation: each event or callback line to ONLINE, then the result. */
  async stream<T>(op: OperationName, input: CallInput, onLine: (line: StreamLine) => void): Promise<T> {
    const res = await this.send(op, input);
    if ((res.statusCode ?? 500) >= 400) throw toError(JSON.parse(await readAll(res, MAX_ANSWER)) as unknown);
    let result: { value: unknown } | undefined;
    try {
      for await (const line of lines(res)) {
        const msg = JSON.parse(line) as StreamLine;
        if ('result' in msg) result = { value: msg.result };
        else if ('error' in msg) throw toError(msg);
        else onLine(msg);
      }
    } catch (err) {
      throw this.stopped(err, input.signal);
    }
    if (!result) throw new VssError('IO', 'the daemon stopped before it answered: `vss daemon status` tells more');
    return result.value as T;
  }

  /** A raw answer (Server-Sent Events). */
  open(op: OperationName, input: CallInput = {}): Promise<IncomingMessage> {
    return this.send(op, input);
  }

  close(): void {
    this.agent.destroy();
  }

  /** What a broken answer means to the user: the daemon went away mid-answer (unless we stopped reading). */
  private stopped(err: unknown, signal: AbortSignal | undefined): Error {
    if (err instanceof VssError || signal?.aborted) return err as Error;
    return new VssError('IO', `the daemon stopped before it answered (${(err as Error).message}): \`vss daemon status\` tells more`, { cause: err });
  }

  private send(op: OperationName, input: CallInput): Promise<IncomingMessage> {
    const { method, path } = OPERATIONS[op];
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(input.query ?? {})) if (v !== undefined) query.set(k, String(v));
    const url = fillPath(path, input.params ?? {}) + (query.size ? `?${query}` : '');
    const body = input.body === undefined ? undefined : Buffer.from(JSON.stringify(input.body));
    return new Promise((resolve, reject) => {
      const req = request({
        socketPath: this.address.socket, agent: this.agent, method, path: url,
        headers: {
          authorization: `Bearer ${this.address.token}`, host: 'localhost', accept: 'application/json',
          ...(body ? { 'content-type': 'application/json', 'content-length': body.length } : {}),
        },
        ...(input.signal ? { signal: input.signal } : {}),
      }, resolve);
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.name === 'AbortError') return reject(err);
        // A reset on a connection it had open means it went away while we asked (a stop).
        const what = err.code === 'ECONNRESET' || err.code === 'EPIPE' ? 'the daemon stopped before it answered' : `the daemon does not answer on ${this.address.socket}`;
        reject(new VssError('IO', `${what} (${err.code ?? err.message}); \`vss daemon status\` tells more`, { path: this.address.socket, cause: err }));
      });
      req.end(body);
    });
  }
}

export function toError(value: unknown): Error {
  const e = (value as ErrorBody | null)?.error;
  if (!e || typeof e.message !== 'string') return new VssError('IO', 'the daemon answered with an error it did not explain');
  if (e.code === 'USAGE') return new UsageError(e.message);
  if (KNOWN_CODES.has(e.code)) return new VssError(e.code as 'IO', e.message, e.path !== undefined ? { path: e.path } : {});
  return new Error(e.message);
}

export async function readAll(res: IncomingMessage, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > max) {
      res.destroy();
      throw new VssError('IO', `the daemon's answer is larger than ${max} bytes`);
    }
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** NDJSON lines of RES; one line is bounded so a broken daemon cannot fill memory. */
async function* lines(res: IncomingMessage): AsyncGenerator<string> {
  let buf = '';
  res.setEncoding('utf8'); // a character split between two chunks is decoded whole
  for await (const c of res as AsyncIterable<string>) {
    buf += c;
    if (buf.length > MAX_ANSWER) throw new VssError('IO', 'a line of the daemon\'s answer is too long');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim() !== '') yield line;
    }
  }
  if (buf.trim() !== '') yield buf;
}
