/**
 * pdfjs's worker module with its drawing of forms guarded. A form XObject may draw other forms,
 * and pdfjs follows them without looking back: a form that draws itself (directly or through
 * others) recurses until the stack overflows — hundreds of V8 reports on stderr — or, when each
 * level waits for a font, for ever, its memory growing until the time limit. pdfjs has no hook
 * for this, so its worker module is loaded here from the installed file with one line added: an
 * export of its evaluator class, whose two recursive readers (drawing and text) are then wrapped
 * to keep the chain of content streams being read (AsyncLocalStorage follows it across pdfjs's
 * promises) and refuse a stream already in the chain, or a chain deeper than MAX_FORM_DEPTH.
 * pdfjs then skips that form with a warning, which read-trouble.ts turns into the page's failure.
 *
 * The installed file is untouched and nothing inside pdfjs is edited: the module's text with the
 * added line is written to a private temporary folder (mkdtemp: this user's alone), imported
 * from there and removed at once (from a data: URL it took ~130 ms longer to load). Should a
 * future pdfjs not have the class where it is looked for, the plain worker is used: forms are
 * then bounded only by the decoder's memory cap and time limit (read-trouble.test.ts fails first).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

/** Forms nested deeper than this are refused: real documents nest a handful. */
export const MAX_FORM_DEPTH = 64;

/** The worker module's last line, after which the export is added. */
const EXPORTS_LINE = 'export { __webpack_exports__WorkerMessageHandler as WorkerMessageHandler };';
const EVALUATOR = /^class PartialEvaluator \{$/m;
const READERS = ['getOperatorList', 'getTextContent'] as const;

/** What the guard says when it refuses a form; read-trouble.ts recognises these words. */
export const FORM_CYCLE = 'draws itself';
export const FORM_TOO_DEEP = 'forms nest more than';

type Reader = (this: unknown, args: { stream?: { dict?: { objId?: string | null } } }) => unknown;

let loaded: Promise<boolean> | undefined;

/**
 * Load the guarded worker into this process (once; before the first document is opened, which
 * is when pdfjs picks its worker: it takes the one the module leaves on `globalThis.pdfjsWorker`).
 * Resolves true when the guard is in place.
 */
export function loadGuardedPdfWorker(): Promise<boolean> {
  loaded ??= load();
  return loaded;
}

async function load(): Promise<boolean> {
  const source = readFileSync(require.resolve('pdfjs-dist/legacy/build/pdf.worker.mjs'), 'utf8');
  if (!source.includes(EXPORTS_LINE) || !EVALUATOR.test(source)) return false;
  const dir = mkdtempSync(join(tmpdir(), 'vss-pdfjs-'));
  let mod: { VssPartialEvaluator?: { prototype: Record<string, Reader> } };
  try {
    const file = join(dir, 'pdf.worker.mjs');
    writeFileSync(file, `${source}\nexport { PartialEvaluator as VssPartialEvaluator };\n`, { mode: 0o600 });
    mod = (await import(pathToFileURL(file).href)) as typeof mod;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const proto = mod.VssPartialEvaluator?.prototype;
  if (!proto || !READERS.every((m) => typeof proto[m] === 'function')) return false;
  guardForms(proto);
  return true;
}

/** The content streams being read, outermost first, along the current chain of calls. */
const chain = new AsyncLocalStorage<readonly string[]>();

function guardForms(proto: Record<string, Reader>): void {
  for (const name of READERS) {
    const read = proto[name]!;
    proto[name] = function guarded(this: unknown, args) {
      const id = args?.stream?.dict?.objId;
      const above = chain.getStore() ?? [];
      if (typeof id !== 'string' || id === '') return read.call(this, args);
      if (above.includes(id)) throw new Error(`form XObject ${refName(id)} ${FORM_CYCLE}`);
      if (above.length > MAX_FORM_DEPTH) throw new Error(`${FORM_TOO_DEEP} ${MAX_FORM_DEPTH} deep`);
      return chain.run([...above, id], () => read.call(this, args));
    };
  }
}

/** pdfjs's "5R" (or "5R2" for generation 2) as PDF writes it: "5 0 R". */
function refName(objId: string): string {
  const m = /^(\d+)R(\d*)$/.exec(objId);
  return m ? `${m[1]} ${m[2] || '0'} R` : objId;
}
