import { isAbsolute } from 'node:path';
import { UsageError } from '../../api/index.js';
import type { ArgSpec, FieldSpec, OperationSpec } from '../../api/remote/protocol.js';
import { int, optBool, optString, optStrings, uuid, type Fields } from './input.js';
import type { StreamOut } from './stream.js';
import { isPlaceAddress } from '../../core/address.js';

/** A request's parts, each already an object (fields() checked them). */
export interface RequestParts {
  params: Fields;
  query: Fields;
  body: Fields;
  /** Who asks, as the server's hook found it (`party`: 'browser' for a paired browser, else 'local'): never read from the request. */
  party: Fields;
}

/**
 * The arguments of OP's core call, read from a request as its row says: each field checked for
 * type and size (a usage error names the one that is wrong), options objects built from their
 * fields, and a streamed call's callbacks and abort signal made to speak on OUT.
 */
export function callArgs(op: OperationSpec, req: RequestParts, out?: StreamOut): unknown[] {
  return (op.args ?? []).map((spec: ArgSpec) => {
    if ('callback' in spec) return (payload: unknown) => out?.event(spec.callback, payload);
    if (!('options' in spec)) return readField(spec, req);
    const o: Record<string, unknown> = {};
    for (const [key, f] of Object.entries(spec.options)) {
      const v = readField(f, req);
      if (v !== undefined) o[key] = v;
    }
    for (const cb of op.stream?.callbacks ?? []) o[cb] = (...args: unknown[]) => out?.call(cb, ...args);
    if (op.stream?.signal !== undefined && out) o[op.stream.signal] = out.signal;
    return o;
  });
}

/** The query fields OP reads; any other is refused rather than silently ignored. */
export function queryFields(op: OperationSpec): string[] {
  const names: string[] = [...(op.query ?? [])];
  for (const spec of op.args ?? []) {
    const fields = 'options' in spec ? Object.values(spec.options) : 'callback' in spec ? [] : [spec];
    for (const f of fields) if (f.in === 'query') names.push(f.name);
  }
  return names;
}

function readField(f: FieldSpec, req: RequestParts): unknown {
  const from = req[f.in];
  const v = from[f.name];
  // An empty query field is an absent one (`?kind=`); an empty body string is a value the core judges.
  const present = v !== undefined && v !== null && !(f.in === 'query' && v === '');
  if (!present) {
    if (f.default !== undefined) return f.default;
    if (f.optional) return undefined;
    throw new UsageError(`${f.name} is required`);
  }
  switch (f.type) {
    case 'string': return optString(from, f.name);
    // A whole number; its range is the row's, or else the core's to say (with the core's words).
    case 'int': return int(from, f.name, f.min ?? Number.MIN_SAFE_INTEGER, f.max ?? Number.MAX_SAFE_INTEGER);
    case 'bool': return optBool(from, f.name);
    case 'strings': return optStrings(from, f.name);
    case 'uuid': return uuid(optString(from, f.name)!, f.name);
    case 'path': {
      const p = optString(from, f.name)!;
      // The daemon's working directory is not the caller's: a relative path would name another place.
      if (!isAbsolute(p)) throw new UsageError(`${f.name} must be an absolute path, got ${JSON.stringify(p.slice(0, 200))}`);
      return p;
    }
    case 'place': {
      const p = optString(from, f.name)!;
      if (!isPlaceAddress(p) && !isAbsolute(p)) throw new UsageError(`${f.name} must be an absolute path, DEVICE:/LOCATION/PATH or s3://BUCKET/PREFIX, got ${JSON.stringify(p.slice(0, 200))}`);
      return p;
    }
    case 'json': return from[f.name];
  }
}
