/**
 * `node dist/test/support/generate-once.js GENERATOR PATH MIME KIND`: run one generator (thumb or
 * ocr) on one file in a fresh process and print one JSON line: what happened and the process's
 * peak RSS (worker threads included, they live in this process). Memory tests run it as a child
 * so one file's high-water mark is not mixed with the test runner's.
 */
import type { ContentKind } from '../../src/content/kinds.js';
import { GeneratorError, type Generator } from '../../src/generators/types.js';
import { generatorContext } from '../generator-context.js';

const [name, path, mime, kind] = process.argv.slice(2) as [string, string, string, ContentKind];
const { generator, variants, close } = name === 'ocr'
  ? await import('../../src/generators/ocr/ocr-generator.js').then((m) => ({ generator: m.ocrGenerator as Generator, variants: ['default'], close: m.closeOcrEngine }))
  : await import('../../src/generators/thumb/thumb-generator.js').then((m) => ({ generator: m.thumbGenerator as Generator, variants: ['grid@1x', 'grid@2x', 'detail@1x'], close: async () => {} }));
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
console.log(JSON.stringify({ ...result, maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) }));
