import type { FileTypeParser } from 'file-type';

/** Options of file-type's own `check(header, options)` (21.x core.js): where, and which bits, to compare. */
interface CheckOptions {
  offset?: number;
  mask?: ArrayLike<number>;
  encoding?: string;
}

/** What a parser of file-type 21.x has beside its declared surface: the head it is reading and its two comparisons. */
interface Checking {
  buffer: Uint8Array;
  check(header: ArrayLike<number>, options?: CheckOptions): boolean;
  checkString(header: string, options?: CheckOptions): boolean;
}

/**
 * file-type's parser with its two comparisons made without allocating (issue 57). Each parse
 * asks ~100 of them, and file-type turns a signature's text into a new array of bytes every time
 * it compares it (`checkString`) and copies its options into a new object (`check`): on a head
 * no early signature settles (text, and whatever a JPEG's or PNG's first bytes do not) that was
 * ~40% of the parse and most of its garbage (22 → 15 µs a text head). Both answer as file-type's
 * do, byte for byte: the same bytes of the same signatures compared at the same offsets under the
 * same masks (`file-type-checks.test.ts` holds every answer to the stock parser's). A version of
 * file-type whose parser has no such methods is simply not sped up.
 */
export function fasterParser(Parser: typeof FileTypeParser): typeof FileTypeParser {
  const proto = Parser.prototype as unknown as Partial<Checking>;
  if (typeof proto.check !== 'function' || typeof proto.checkString !== 'function' || proto.check.length !== 2) return Parser;
  return class FasterParser extends Parser {
    check(this: Checking, header: ArrayLike<number>, options?: CheckOptions): boolean {
      // As `{ offset: 0, ...options }` reads it: an offset given as undefined compares nothing equal.
      const offset = options === undefined || !('offset' in options) ? 0 : options.offset!;
      const mask = options?.mask;
      const buf = this.buffer;
      for (let i = 0; i < header.length; i++) {
        const at = buf[i + offset];
        if (mask ? header[i] !== (mask[i]! & at!) : header[i] !== at) return false;
      }
      return true;
    }

    checkString(this: Checking, header: string, options?: CheckOptions): boolean {
      return this.check(signatureBytes(header, options?.encoding), options);
    }
  };
}

/** Signatures' bytes by encoding and text: file-type compares a few hundred, the same ones on every head. */
const signatures = new Map<string | undefined, Map<string, readonly number[]>>();

/** The bytes file-type's `stringToBytes` (util.js) makes of TEXT in ENCODING, made once. */
export function signatureBytes(text: string, encoding: string | undefined): readonly number[] {
  let byText = signatures.get(encoding);
  if (!byText) signatures.set(encoding, (byText = new Map()));
  let bytes = byText.get(text);
  if (bytes === undefined) {
    const out: number[] = [];
    if (encoding === 'utf-16le' || encoding === 'utf-16be') {
      for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (encoding === 'utf-16le') out.push(code & 0xff, (code >> 8) & 0xff);
        else out.push((code >> 8) & 0xff, code & 0xff);
      }
    } else {
      // By code point, each its first UTF-16 unit, as `[...string].map(c => c.charCodeAt(0))`.
      for (const c of text) out.push(c.charCodeAt(0));
    }
    byText.set(text, (bytes = out));
  }
  return bytes;
}
