import { VssError } from '../../core/errors.js';
import { UUID_RE } from '../../sidecars/address.js';
import { decodeChunk, type DecodedChunk } from '../availability/codec.js';

/**
 * The field types of peer messages (src/sync/messages/table.ts): what a value must be, checked
 * as a message is decoded. A field a message does not list is left out of what the reader gets
 * (a newer peer's addition), never refused.
 */
export type Field =
  /** Raw bytes: exactly `len`, or at most `max`. */
  | { type: 'bytes'; len?: number; max?: number }
  /** One printable line of 1 to `max` characters (no control characters). */
  | { type: 'text'; max: number }
  /** Any string of at most `max` characters: a name the domain checks itself (and refuses item by item). */
  | { type: 'string'; max: number }
  | { type: 'uuid' }
  /** An Ed25519 public key, SPKI PEM. */
  | { type: 'pem' }
  /** A safe integer ≥ 0 (at most `max`, when given). */
  | { type: 'uint'; max?: number }
  | { type: 'bool' }
  /** The version field of a protocol whose sides must agree exactly. */
  | { type: 'version'; version: number; what: string }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'object'; fields: Fields }
  | { type: 'array'; of: Field; max: number }
  | { type: 'tuple'; of: readonly Field[] }
  /** May be absent (a message of an older peer). */
  | { type: 'optional'; of: Field }
  | { type: 'nullable'; of: Field }
  /** An availability digest chunk, in its own binary layout (src/sync/availability/codec.ts), decoded and checked whole. */
  | { type: 'digest'; max: number };

export type Fields = Readonly<Record<string, Field>>;

export const f = {
  bytes: (len: number) => ({ type: 'bytes', len }) as const,
  blob: (max: number) => ({ type: 'bytes', max }) as const,
  text: (max: number) => ({ type: 'text', max }) as const,
  string: (max: number) => ({ type: 'string', max }) as const,
  uuid: { type: 'uuid' } as const,
  pem: { type: 'pem' } as const,
  uint: { type: 'uint' } as const,
  uintUpTo: (max: number) => ({ type: 'uint', max }) as const,
  bool: { type: 'bool' } as const,
  version: (version: number, what: string) => ({ type: 'version', version, what }) as const,
  oneOf: <const V extends readonly string[]>(values: V) => ({ type: 'enum', values }) as const,
  object: <const S extends Fields>(fields: S) => ({ type: 'object', fields }) as const,
  array: <const O extends Field>(of: O, max: number) => ({ type: 'array', of, max }) as const,
  tuple: <const T extends readonly Field[]>(...of: T) => ({ type: 'tuple', of }) as const,
  optional: <const O extends Field>(of: O) => ({ type: 'optional', of }) as const,
  nullable: <const O extends Field>(of: O) => ({ type: 'nullable', of }) as const,
  digest: (max: number) => ({ type: 'digest', max }) as const,
};

/** What a field holds once read (IN) or when written (OUT: a digest goes out as its bytes). */
export type FieldIn<F> = FieldValue<F, 'in'>;
export type FieldOut<F> = FieldValue<F, 'out'>;

type FieldValue<F, D> = F extends { type: 'bytes' }
  ? Uint8Array
  : F extends { type: 'uint' } | { type: 'version' }
    ? number
    : F extends { type: 'bool' }
      ? boolean
      : F extends { type: 'enum'; values: readonly (infer E)[] }
        ? E
        : F extends { type: 'object'; fields: infer S }
          ? FieldsValue<S, D>
          : F extends { type: 'array'; of: infer O }
            ? Array<FieldValue<O, D>>
            : F extends { type: 'tuple'; of: infer T }
              ? { -readonly [K in keyof T]: FieldValue<T[K], D> }
              : F extends { type: 'optional'; of: infer O }
                ? FieldValue<O, D> | undefined
                : F extends { type: 'nullable'; of: infer O }
                  ? FieldValue<O, D> | null
                  : F extends { type: 'digest' }
                    ? D extends 'in' ? DecodedChunk : Uint8Array
                    : string;

type OptionalKeys<S> = { [K in keyof S]: S[K] extends { type: 'optional' } ? K : never }[keyof S];
export type FieldsValue<S, D> = { -readonly [K in Exclude<keyof S, OptionalKeys<S>>]: FieldValue<S[K], D> } & {
  -readonly [K in OptionalKeys<S>]?: FieldValue<S[K], D>;
};

/** A message that breaks its protocol: a field missing, of the wrong type or size. */
export class PeerMessageError extends VssError {
  constructor(message: string) {
    super('PEER', message);
    this.name = 'PeerMessageError';
  }
}

const PEM_RE = /^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]{40,200}-----END PUBLIC KEY-----\n?$/;
const CONTROL_RE = /[\u0000-\u001f\u007f]/;

/** The fields SPEC lists, each checked, from RAW (WHERE names it in errors); fields SPEC does not list are left out. */
export function checkFields(raw: Record<string, unknown>, spec: Fields, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(spec)) {
    let value: unknown;
    try {
      value = checkField(Object.hasOwn(raw, name) ? raw[name] : undefined, field, where);
    } catch (err) {
      throw placed(err, where, `.${name}`);
    }
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/*
 * A field's place in errors (`msg.items[3].name`) is put together only when something is wrong:
 * a list of thousands of rows is checked without building a string per value. The inner check
 * names WHERE; the step that failed is put in after it on the way out.
 */
function placed(err: unknown, where: string, step: string): unknown {
  if (!(err instanceof PeerMessageError) || !err.message.startsWith(where)) return err;
  return new PeerMessageError(`${where}${step}${err.message.slice(where.length)}`);
}

export function checkField(value: unknown, field: Field, where: string): unknown {
  const bad = (what: string): PeerMessageError => new PeerMessageError(`${where}: ${what}`);
  switch (field.type) {
    case 'bytes':
      if (!(value instanceof Uint8Array)) throw bad(field.len !== undefined ? `expected ${field.len} bytes` : 'expected bytes');
      if (field.len !== undefined && value.length !== field.len) throw bad(`expected ${field.len} bytes`);
      if (field.max !== undefined && value.length > field.max) throw bad(`expected at most ${field.max} bytes`);
      return value;
    case 'text':
      if (typeof value !== 'string' || value.length === 0 || value.length > field.max || CONTROL_RE.test(value)) {
        throw bad(`expected a printable text of 1–${field.max} characters`);
      }
      return value;
    case 'string':
      if (typeof value !== 'string' || value.length > field.max) throw bad(`expected a string of at most ${field.max} characters`);
      return value;
    case 'uuid':
      if (typeof value !== 'string' || !UUID_RE.test(value.toLowerCase())) throw bad('expected a uuid');
      return value.toLowerCase();
    case 'pem':
      if (typeof value !== 'string' || !PEM_RE.test(value)) throw bad('expected a public key (SPKI PEM)');
      return value;
    case 'uint':
      if (!Number.isSafeInteger(value) || (value as number) < 0) throw bad('expected a whole number ≥ 0');
      if (field.max !== undefined && (value as number) > field.max) throw bad(`expected a whole number from 0 to ${field.max}`);
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw bad('expected true or false');
      return value;
    case 'version':
      if (value !== field.version) throw bad(`${field.what} version ${String(value).slice(0, 20)} is not ${field.version}`);
      return value;
    case 'enum':
      if (typeof value !== 'string' || !field.values.includes(value)) throw bad('unknown value');
      return value;
    case 'object':
      if (!isRecord(value)) throw bad('expected an object');
      return checkFields(value, field.fields, where);
    case 'array':
      if (!Array.isArray(value)) throw bad('expected a list');
      if (value.length > field.max) throw bad(`expected at most ${field.max} items, not ${value.length}`);
      return value.map((v, i) => {
        try {
          return checkField(v, field.of, where);
        } catch (err) {
          throw placed(err, where, `[${i}]`);
        }
      });
    case 'tuple':
      if (!Array.isArray(value) || value.length !== field.of.length) throw bad(`expected a list of ${field.of.length}`);
      return field.of.map((t, i) => {
        try {
          return checkField(value[i], t, where);
        } catch (err) {
          throw placed(err, where, `[${i}]`);
        }
      });
    case 'optional':
      return value === undefined ? undefined : checkField(value, field.of, where);
    case 'nullable':
      return value === null ? null : checkField(value, field.of, where);
    case 'digest':
      if (!(value instanceof Uint8Array) || value.length > field.max) throw bad(`expected a digest chunk of at most ${field.max} bytes`);
      // The chunk's own decoder bounds and checks everything in it (and says what was wrong).
      return decodeChunk(value);
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}
