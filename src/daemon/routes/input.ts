import { UUID_RE, UsageError } from '../../api/index.js';

/**
 * Reading a request's parts. Everything from outside is checked for type and size here, once,
 * before any call into the core; a failure is a usage error (400) that names the field.
 */
export type Fields = Record<string, unknown>;

const MAX_STRING = 4096;
const MAX_LIST = 100_000;

export function fields(body: unknown): Fields {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new UsageError('the request body must be a JSON object');
  return body as Fields;
}

export function optString(f: Fields, name: string): string | undefined {
  const v = f[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new UsageError(`${name} must be a string`);
  if (v.length > MAX_STRING) throw new UsageError(`${name} is longer than ${MAX_STRING} characters`);
  if (v.includes('\0')) throw new UsageError(`${name} must not contain NUL`);
  return v;
}

export function string(f: Fields, name: string): string {
  const v = optString(f, name);
  if (v === undefined) throw new UsageError(`${name} is required`);
  return v;
}

export function optBool(f: Fields, name: string): boolean | undefined {
  const v = f[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new UsageError(`${name} must be true or false`);
}

export function optInt(f: Fields, name: string, min = 1, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = f[name];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?[0-9]{1,16}$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${name} must be a whole number from ${min} to ${max}`);
  return n;
}

export function int(f: Fields, name: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const v = optInt(f, name, min, max);
  if (v === undefined) throw new UsageError(`${name} is required`);
  return v;
}

export function optStrings(f: Fields, name: string): string[] | undefined {
  const v = f[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length > MAX_LIST) throw new UsageError(`${name} must be a list of at most ${MAX_LIST} strings`);
  for (let i = 0; i < v.length; i++) {
    const item: unknown = v[i];
    // The common case checked in place (10k uuids a request); a bad item gets the full check's reason.
    if (typeof item !== 'string' || item.length > MAX_STRING || item.includes('\0')) string({ [`${name}[${i}]`]: item }, `${name}[${i}]`);
  }
  return v as string[];
}

export function uuid(value: string, name: string): string {
  if (!UUID_RE.test(value.toLowerCase())) throw new UsageError(`${name} must be a UUID, got ${JSON.stringify(value.slice(0, 80))}`);
  return value.toLowerCase();
}
