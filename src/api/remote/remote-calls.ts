import { resolve } from 'node:path';
import { asTypedPlace } from '../../core/address.js';
import type { EventBus } from '../../core/events.js';
import type { VssEvents } from '../../core/events.js';
import { OPERATIONS, type ArgSpec, type FieldSpec, type OperationName, type OperationSpec } from './operations.js';
import type { StreamLine } from './protocol.js';
import type { CallInput, DaemonHttp } from './daemon-http.js';

type AnyFn = (...args: unknown[]) => unknown;
type Wire = { params: Record<string, string | number>; query: Record<string, string | number | boolean>; body: Record<string, unknown> };

/**
 * The call of one operation through the daemon, made from its row of the operation table: each
 * argument put where the row says (a `path` made absolute here: the daemon's working directory
 * is not ours), a streamed answer's library events emitted on EVENTS, its callback lines and
 * callback events handed to the functions the caller passed.
 */
export function remoteCall(http: DaemonHttp, name: OperationName, fixed: Record<string, string>, events?: EventBus): AnyFn {
  const op: OperationSpec = OPERATIONS[name];
  return (...args: unknown[]) => {
    const wire: Wire = { params: { ...fixed }, query: {}, body: {} };
    const callbacks = new Map<string, AnyFn>();
    let signal: AbortSignal | undefined;
    (op.args ?? []).forEach((spec: ArgSpec, i) => {
      const value = args[i];
      if ('callback' in spec) {
        if (typeof value === 'function') callbacks.set(`event:${spec.callback}`, value as AnyFn);
      } else if ('options' in spec) {
        const o = (value ?? {}) as Record<string, unknown>;
        for (const [key, field] of Object.entries(spec.options)) put(wire, field, o[key]);
        for (const cb of op.stream?.callbacks ?? []) if (typeof o[cb] === 'function') callbacks.set(`call:${cb}`, o[cb] as AnyFn);
        if (op.stream?.signal !== undefined && o[op.stream.signal] instanceof AbortSignal) signal = o[op.stream.signal] as AbortSignal;
      } else {
        put(wire, spec, value);
      }
    });
    const input: CallInput = {
      params: wire.params, query: wire.query,
      ...(Object.keys(wire.body).length > 0 || op.method === 'POST' || op.method === 'PUT' ? { body: wire.body } : {}),
      ...(signal ? { signal } : {}),
    };
    if (!op.stream) return http.call(name, input);
    return http.stream(name, input, (line: StreamLine) => {
      if ('event' in line) {
        const cb = callbacks.get(`event:${line.event}`);
        if (cb) cb(line.payload);
        else events?.emit(line.event as keyof VssEvents, line.payload as never);
      } else if ('call' in line) {
        callbacks.get(`call:${line.call}`)?.(...line.args);
      }
    });
  };
}

/**
 * The calls of every row whose `call` starts with PREFIX (`lib` or `vss`), grouped by facade:
 * `{locations: {add, rescan, …}, …}`; a call of no facade (`vss.device`) is at the top.
 */
export function remoteFacades(http: DaemonHttp, prefix: 'lib' | 'vss', fixed: Record<string, string>, events?: EventBus): Record<string, Record<string, AnyFn> | AnyFn> {
  const out: Record<string, Record<string, AnyFn> | AnyFn> = {};
  for (const [name, op] of Object.entries(OPERATIONS) as Array<[OperationName, OperationSpec]>) {
    const parts = op.call?.split('.');
    if (!parts || parts[0] !== prefix) continue;
    const fn = remoteCall(http, name, fixed, events);
    if (parts.length === 2) out[parts[1]!] = fn;
    else ((out[parts[1]!] ??= {}) as Record<string, AnyFn>)[parts[2]!] = fn;
  }
  return out;
}

function put(wire: Wire, field: FieldSpec, value: unknown): void {
  // Who asks is the daemon's to say, never the client's.
  if (value === undefined || typeof value === 'function' || value instanceof AbortSignal || field.in === 'party') return;
  const v = typeof value !== 'string' ? value : field.type === 'path' ? resolve(value) : field.type === 'place' ? asTypedPlace(value) : value;
  if (field.in === 'body') wire.body[field.name] = v;
  else if (field.in === 'params') wire.params[field.name] = v as string | number;
  else if (v !== null) wire.query[field.name] = v as string | number | boolean;
}

/** Every item of a paged list, a page at a time (`next` is the cursor of the page after). */
export async function* pagesOf<T>(page: (after: string | null) => Promise<{ items: T[]; next: string | null }>): AsyncGenerator<T> {
  let after: string | null = null;
  do {
    const p: { items: T[]; next: string | null } = await page(after);
    yield* p.items;
    after = p.next;
  } while (after !== null);
}
