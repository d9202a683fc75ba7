import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContentKind } from '../src/content/kinds.js';
import type { SidecarKind } from '../src/sidecars/kinds.js';
import type { GeneratorContext, GeneratorSettings } from '../src/generators/types.js';

export interface TestContextInput {
  path: string;
  kind: ContentKind;
  mime: string;
  variants: readonly string[];
  metadata?: Record<string, unknown> | null;
  settings?: Partial<GeneratorSettings>;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Bytes a test hands out as already-made sidecars of this content, by "kind/variant". */
  sidecars?: Record<string, Buffer>;
  /** Sidecars a generator said this content will never have, and why, by "kind/variant". */
  notApplicable?: Record<string, string>;
}

/**
 * A real generator context over a real file, for calling one generator directly in a test
 * (the job runner builds the same thing from the library). Call `cleanup()` when done.
 */
export function generatorContext(input: TestContextInput): GeneratorContext & { cleanup: () => void; outDir: string } {
  const root = mkdtempSync(join(tmpdir(), 'vss-gen-'));
  const scratchDir = join(root, 'scratch');
  const outDir = join(root, 'out');
  mkdirSync(scratchDir);
  mkdirSync(outDir);
  return {
    source: { contentUuid: '00000000-0000-5000-8000-000000000000', kind: input.kind, mime: input.mime, size: statSync(input.path).size, path: input.path, metadata: input.metadata ?? null },
    variants: input.variants,
    signal: input.signal ?? new AbortController().signal,
    timeoutMs: input.timeoutMs ?? 120_000,
    settings: { ocrLanguages: ['eng'], models: {}, threads: 2, ...input.settings },
    scratchDir,
    tempFileFor: (variant: string, format: string) => join(outDir, `.vss-tmp-${variant}.${format}`),
    readSidecar: (kind: SidecarKind, variant: string) => input.sidecars?.[`${kind}/${variant}`],
    notApplicable: (kind: SidecarKind, variant: string) => input.notApplicable?.[`${kind}/${variant}`],
    outDir,
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
