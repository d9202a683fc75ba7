import { mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { IndexResult, LibraryApi, RunSummary, Vss } from '../../api/index.js';
import { buildSampleSet } from './sample-set.js';

export interface DemoSummary {
  folder: string;
  library: string;
  samples: string;
  index: IndexResult;
  kinds: Record<string, number>;
  duplicates: Array<{ content_uuid: string; paths: string[] }>;
  made_current: boolean;
  /** What the jobs made: ready sidecars by kind/variant, and what they could not make. */
  jobs: RunSummary;
  sidecars: Record<string, number>;
  examples: Array<{ kind: string; variant: string; path: string }>;
  /** The text OCR found in the sample scan, when it found some. */
  ocr_sample: string | null;
  /** A word of the scanned note searched for: what the search found (the note, by its OCR text). */
  search: { query: string; results: Array<{ path: string | null; source: string; snippet: string }> };
}

export interface DemoOptions {
  /** Where to create the demo (default: a new temporary folder). */
  path?: string;
  /** Called once the demo's library is open, e.g. to follow its progress events. */
  onLibrary?: (lib: LibraryApi) => void;
}

/**
 * The built-in default job, over the core API like any client: a fresh folder with a library and
 * a sample set, indexed in deep mode, then the jobs run until every sidecar the policy wants is
 * made. The library becomes current only if the user has none yet.
 */
export async function runDemo(vss: Vss, opts: DemoOptions = {}): Promise<DemoSummary> {
  const folder = opts.path ? resolve(opts.path) : mkdtempSync(join(tmpdir(), 'vss-demo-'));
  mkdirSync(folder, { recursive: true });
  const samples = join(folder, 'Samples');
  await buildSampleSet(samples);

  const makeCurrent = !vss.libraries.hasCurrent();
  const created = vss.libraries.create('Demo', { dir: folder, makeCurrent });
  return vss.withLibrary({ path: created.path }, async (lib) => {
    opts.onLibrary?.(lib);
    const index = await lib.locations.add(samples, { name: 'Samples', mode: 'deep' });
    const jobs = await lib.jobs.run({ untilIdle: true });
    const sidecars: Record<string, number> = {};
    const examples: DemoSummary['examples'] = [];
    for (const s of lib.sidecars.iterate({ status: 'ready' })) {
      const key = `${s.kind}/${s.variant}`;
      sidecars[key] = (sidecars[key] ?? 0) + 1;
      if (sidecars[key] === 1 && s.path) examples.push({ kind: s.kind, variant: s.variant, path: s.path });
    }
    const kinds: Record<string, number> = {};
    const duplicates: DemoSummary['duplicates'] = [];
    let scan: string | undefined;
    const scanPath = join(samples, 'Documents', 'scanned-note.png');
    for (const c of lib.content.iterate()) {
      kinds[c.kind] = (kinds[c.kind] ?? 0) + 1;
      if (c.paths.length > 1) duplicates.push({ content_uuid: c.content_uuid, paths: c.paths });
      if (c.paths.includes(scanPath)) scan = c.content_uuid;
    }
    const query = 'umbrella';
    const found = (await lib.search.query(query, { limit: 5 })).map((r) => ({ path: r.paths[0] ?? null, source: r.source, snippet: r.snippet }));
    return {
      folder, library: created.path, samples, index, kinds, duplicates, made_current: makeCurrent, jobs, sidecars, examples,
      ocr_sample: scan ? ocrText(lib, scan) : null, search: { query, results: found },
    };
  });
}

/** The OCR text of a content, if it was made. */
function ocrText(lib: LibraryApi, contentUuid: string): string | null {
  const ocr = [...lib.sidecars.iterate({ contentUuid, kind: 'ocr', status: 'ready' })][0];
  if (!ocr?.path) return null;
  try {
    return (JSON.parse(readFileSync(ocr.path, 'utf8')) as { text?: string }).text?.trim() || null;
  } catch {
    return null;
  }
}
