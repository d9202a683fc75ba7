/**
 * Cutting a text into pieces an embedding model can take whole. A model reads at most N word
 * pieces (256 for MiniLM); anything longer is silently truncated and its end never indexed. So
 * the text is packed, sentence by sentence, into chunks of at most N pieces, with a few words of
 * the previous chunk repeated at the start of the next so a phrase cut at a border is still found.
 */

export interface ChunkOptions {
  /** Word pieces a chunk may hold, not counting the model's own start and end tokens. */
  budget: number;
  /** Word pieces of the previous chunk's tail repeated at the start of the next (0: none). */
  overlap: number;
  /** Stop after this many chunks: the rest of the text is not embedded. */
  maxChunks: number;
}

export interface Chunking {
  chunks: string[];
  /** Text was left over when `maxChunks` was reached. */
  truncated: boolean;
}

/** Word pieces of one whitespace-free word, without special tokens. */
export type CountTokens = (word: string) => number;

interface Unit {
  text: string;
  tokens: number;
  /** This unit continues the previous one's word (a very long word cut in pieces): no space. */
  glued: boolean;
}

/**
 * Longest run of characters tokenized as one word. Real words are far shorter; longer runs are
 * URLs, hashes or base64 blobs, cut so one of them can never be larger than a chunk.
 */
const MAX_WORD_CHARS = 48;

export function chunkText(text: string, countTokens: CountTokens, opts: ChunkOptions): Chunking {
  if (opts.budget < 1 || opts.maxChunks < 1) throw new Error('chunkText: budget and maxChunks must be at least 1');
  const overlap = Math.min(Math.max(0, opts.overlap), Math.floor(opts.budget / 2));
  const cache = new Map<string, number>();
  const count = (w: string): number => {
    let n = cache.get(w);
    if (n === undefined) {
      n = Math.max(1, countTokens(w));
      // Words repeat a lot in any text; the cache stays small next to the text itself.
      if (cache.size < 200_000) cache.set(w, n);
    }
    return n;
  };

  const chunks: string[] = [];
  let current: Unit[] = [];
  let currentTokens = 0;
  /** Whether `current` holds anything beyond the overlap carried from the last chunk. */
  let fresh = false;

  const flush = (): boolean => {
    if (current.length === 0) return true;
    chunks.push(joinUnits(current));
    if (chunks.length >= opts.maxChunks) return false;
    // The next chunk starts with the tail of this one, whole words only, up to `overlap` pieces.
    const tail: Unit[] = [];
    let tailTokens = 0;
    for (let i = current.length - 1; i > 0; i--) {
      const u = current[i]!;
      if (tailTokens + u.tokens > overlap) break;
      tail.unshift(u);
      tailTokens += u.tokens;
    }
    while (tail.length > 0 && tail[0]!.glued) tailTokens -= tail.shift()!.tokens;
    current = tail;
    currentTokens = tailTokens;
    fresh = false;
    return true;
  };
  /** Add units that fit together in one chunk; false once the chunk limit is reached. */
  const add = (units: Unit[], tokens: number): boolean => {
    if (currentTokens + tokens > opts.budget && currentTokens > 0) {
      if (!flush()) return false;
      // The overlap alone plus this sentence may still not fit: then drop the overlap.
      if (currentTokens + tokens > opts.budget) {
        current = [];
        currentTokens = 0;
      }
    }
    current.push(...units);
    currentTokens += tokens;
    fresh = true;
    return true;
  };

  for (const sentence of sentences(text)) {
    const units = unitsOf(sentence, count, opts.budget);
    if (units.length === 0) continue;
    const tokens = units.reduce((s, u) => s + u.tokens, 0);
    if (tokens <= opts.budget) {
      if (!add(units, tokens)) return { chunks, truncated: true };
    } else {
      // A sentence longer than a chunk (or a text without punctuation): cut it between words.
      for (const u of units) if (!add([u], u.tokens)) return { chunks, truncated: true };
    }
  }
  if (fresh) chunks.push(joinUnits(current));
  return { chunks, truncated: false };
}

/**
 * Characters handed to the sentence segmenter at once. V8's Intl.Segmenter gets slower per
 * sentence the longer its string (850 kB: 8.5 s in one string, 58 ms in 16 kB windows, 27 ms in
 * 4 kB ones), so a long text is fed to it a window at a time.
 */
const SEGMENT_WINDOW = 4096;

/** The sentences of TEXT, trimmed, lazily (a long text is never split whole). */
function* sentences(text: string): Generator<string> {
  const segmenter = new Intl.Segmenter(undefined, { granularity: 'sentence' });
  let pos = 0;
  while (pos < text.length) {
    const end = Math.min(text.length, pos + SEGMENT_WINDOW);
    const segments = [...segmenter.segment(text.slice(pos, end))];
    // The window's last sentence may be cut by the window: it is read again with the next one.
    const last = end === text.length ? segments.length : segments.length - 1;
    for (let i = 0; i < last; i++) {
      const s = segments[i]!.segment.trim();
      if (s) yield s;
    }
    if (last === segments.length) return;
    let next = pos + segments[last]!.index;
    if (next === pos) {
      // One sentence longer than the window: cut it at its last space (or anywhere, in a blob).
      let space = end - 1;
      while (space > pos && !/\s/.test(text[space]!)) space--;
      next = space > pos ? space + 1 : end;
      const s = text.slice(pos, next).trim();
      if (s) yield s;
    }
    pos = next;
  }
}

function unitsOf(sentence: string, count: (w: string) => number, budget: number): Unit[] {
  const units: Unit[] = [];
  for (const word of sentence.split(/\s+/)) {
    if (!word) continue;
    if (word.length <= MAX_WORD_CHARS) {
      units.push(...fit(word, false, count, budget));
      continue;
    }
    for (let i = 0; i < word.length; i += MAX_WORD_CHARS) {
      units.push(...fit(word.slice(i, i + MAX_WORD_CHARS), i > 0, count, budget));
    }
  }
  return units;
}

/** WORD as one unit, or halved until each piece fits a chunk (only for tokenizers of many pieces per character). */
function fit(word: string, glued: boolean, count: (w: string) => number, budget: number): Unit[] {
  const tokens = count(word);
  if (tokens <= budget || word.length < 2) return [{ text: word, tokens: Math.min(tokens, budget), glued }];
  const half = Math.ceil(word.length / 2);
  return [...fit(word.slice(0, half), glued, count, budget), ...fit(word.slice(half), true, count, budget)];
}

function joinUnits(units: Unit[]): string {
  let s = '';
  for (const u of units) s += s && !u.glued ? ` ${u.text}` : u.text;
  return s;
}

