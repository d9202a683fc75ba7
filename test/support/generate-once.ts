/**
 * `node dist/test/support/generate-once.js GENERATOR PATH MIME KIND`: run one generator (thumb or
 * ocr) on one file in a fresh process and print one JSON line: what happened and the peak RSS of
 * the process (worker threads included, they live in it) plus that of its largest decoder
 * process. Memory tests run it as a child so one file's high-water mark is not mixed with the
 * test runner's.
 */
import type { ContentKind } from '../../src/content/kinds.js';
import { decoderChildPeakRssKiB } from '../../src/generators/tools/run-in-child.js';
import { GeneratorError, type Generator } from '../../src/generators/types.js';
import { generatorContext } from '../generator-context.js';

async function load(name: string): Promise<{ generator: Generator; variants: string[]; close: () => Promise<void> }> {
  if (name === 'ocr') {
    const m = await import('../../src/generators/ocr/ocr-generator.js');
    return { generator: m.ocrGenerator, variants: ['default'], close: m.closeOcrEngine };
  }
  const m = await import('../../src/generators/thumb/thumb-generator.js');
  return { generator: m.thumbGenerator, variants: ['grid@1x', 'grid@2x', 'detail@1x'], close: async () => {} };
}

async function generateOnce(name: string, path: string, mime: string, kind: ContentKind): Promise<void> {
  const { generator, variants, close } = await load(name);
  const ctx = generatorContext({ path, kind, mime, variants, timeoutMs: 120_000 });
  let result: Record<string, unknown>;
  try {
    const out = await generator.generate(ctx);
    result = { ok: true, made: out.filter((o) => 'data' in o || 'file' in o).map((o) => o.variant) };
  } catch (err) {
    result = { ok: false, error: err instanceof Error ? err.message : String(err), permanent: err instanceof GeneratorError ? err.permanent : null };
  } finally {
    ctx.cleanup();
    await close();
  }
  // A decoder process (a PDF's) ran beside this one: both peaks count, as if at the same moment.
  console.log(JSON.stringify({ ...result, maxRssMiB: Math.round((process.resourceUsage().maxRSS + decoderChildPeakRssKiB()) / 1024) }));
}

const [name, path, mime, kind] = process.argv.slice(2);
// `node --test dist/test` runs every file it finds, this one too: without arguments it does nothing.
if (name && path && mime && kind) await generateOnce(name, path, mime, kind as ContentKind);
