import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AllLibraryEvents } from '../../api/index.js';
import type { StreamLine } from '../../api/remote/protocol.js';
import { errorReply } from '../server.js';

/** What a streamed operation can say before its result. */
export interface StreamOut {
  /** Ends when the client goes away (Ctrl-C on the CLI): the operation should stop. */
  readonly signal: AbortSignal;
  /** Forward the library's events whose name starts with one of PREFIXES while the call runs. */
  forward(events: AllLibraryEvents, prefixes: readonly string[]): void;
  /** An event of the call itself (the pairing code), said to the client in order. */
  event(name: string, payload: unknown): void;
  /** A callback of the in-process API (e.g. reconcile's onProblem), said to the client in order. */
  call(name: string, ...args: unknown[]): void;
}

/**
 * Answer with NDJSON: event and callback lines while RUN works, then its result or its error.
 * Writes wait for the client only as far as the socket buffers; a client that stops reading
 * holds at most what the kernel buffers, because progress events are dropped while it is full.
 */
export async function streamed(req: FastifyRequest, reply: FastifyReply, run: (out: StreamOut) => Promise<unknown>): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  // The head waits for the call's own first line (or a moment): a call refused before it starts
  // (a plan's refusal) answers with its error's status, as a call that is not streamed does. The
  // library's events it forwards are anyone's (another job's progress, a scan's end): they never
  // write the head, or a refusal would answer 200 whenever something else ran (a flaky N1 test
  // saw a browser's refused copy so); progress before the head is dropped, the rest waits for it.
  const early: string[] = [];
  const head = () => {
    clearTimeout(headTimer);
    if (res.headersSent || res.destroyed) return;
    res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' });
    for (const line of early.splice(0)) res.write(line);
  };
  const headTimer = setTimeout(head, HEAD_WAIT_MS);
  const abort = new AbortController();
  res.on('close', () => { if (!res.writableFinished) abort.abort(new Error('client went away')); });
  const offs: Array<() => void> = [];
  const write = (line: StreamLine, droppable: boolean, forwarded = false) => {
    if (res.destroyed || res.writableEnded) return;
    if (droppable && res.writableNeedDrain) return;
    if (forwarded && !res.headersSent) {
      if (droppable) return;
      early.push(JSON.stringify(line) + '\n');
      // A flood of them (a job list, a scan's skipped files) is said, not dropped: the head goes now.
      if (early.length >= MAX_EARLY_LINES) head();
      return;
    }
    head();
    res.write(JSON.stringify(line) + '\n');
  };
  const out: StreamOut = {
    signal: abort.signal,
    forward(events, prefixes) {
      offs.push(events.onAny((event, payload) => {
        if (prefixes.some((p) => event.startsWith(p))) write({ event, payload }, event.endsWith(':progress'), true);
      }));
    },
    event(name, payload) {
      write({ event: name, payload }, false);
    },
    call(name, ...args) {
      write({ call: name, args }, false);
    },
  };
  try {
    const result = await run(out);
    for (const off of offs) off();
    write({ result: result ?? null }, false);
  } catch (err) {
    for (const off of offs) off();
    const { status, body } = errorReply(err);
    if (status >= 500) req.log.error({ err }, 'streamed request failed');
    if (!res.headersSent && !res.destroyed) {
      clearTimeout(headTimer);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
      return;
    }
    write(body, false);
  }
  head();
  res.end();
}

/** How long a streamed answer's head waits for the call's own first line. */
const HEAD_WAIT_MS = 1_000;
/** Forwarded events kept for the head (a call's first second is few events; past this, the head is written). */
const MAX_EARLY_LINES = 1_000;
