import { mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Vss } from '../api/vss.js';
import { iterateContents } from '../content/list-contents.js';
import type { Library } from '../library/library.js';
import { addLocation, scanLocation } from '../locations/locations.js';
import type { IndexResult } from '../indexer/types.js';
import { buildSampleSet } from './sample-set.js';
import { runJobs } from '../jobs/run-jobs.js';
import type { RunSummary } from '../jobs/runner.js';
import { generatorSettings } from '../jobs/settings.js';
import { SidecarManager } from '../sidecars/manager.js';
import { sidecarAddress } from '../sidecars/address.js';

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
}

/**
 * The built-in default job: a fresh folder with a library and a sample set, indexed in deep mode,
 * then the jobs run until every sidecar the policy wants is made. The library becomes current only if the user has none yet.
 */
export async function runDemo(vss: Vss, opts: { path?: string; onLibrary?: (lib: Library) => void } = {}): Promise<DemoSummary> {
  const generation = (lib: Library) => generatorSettings(lib, vss.dataDir);
  const folder = opts.path ? resolve(opts.path) : mkdtempSync(join(tmpdir(), 'vss-demo-'));
  mkdirSync(folder, { recursive: true });
  const samples = join(folder, 'Samples');
  await buildSampleSet(samples);

  const makeCurrent = vss.registry.current() === null;
  const lib = vss.createLibrary('Demo', folder, { makeCurrent });
  try {
    opts.onLibrary?.(lib);
    const loc = addLocation(lib, samples, { name: 'Samples', mode: 'deep' });
    const index = await scanLocation(lib, loc.id, undefined, { generation: generation(lib) });
    const jobs = await runJobs(lib, { dataDir: vss.dataDir, untilIdle: true });
    const sidecars: Record<string, number> = {};
    const examples: DemoSummary['examples'] = [];
    for (const s of new SidecarManager(lib).list({ status: 'ready' })) {
      const key = `${s.kind}/${s.variant}`;
      sidecars[key] = (sidecars[key] ?? 0) + 1;
      if (sidecars[key] === 1 && s.path) examples.push({ kind: s.kind, variant: s.variant, path: s.path });
    }
    const kinds: Record<string, number> = {};
    const duplicates: DemoSummary['duplicates'] = [];
    for (const c of iterateContents(lib)) {
      kinds[c.kind] = (kinds[c.kind] ?? 0) + 1;
      if (c.paths.length > 1) duplicates.push({ content_uuid: c.content_uuid, paths: c.paths });
    }
    return { folder, library: lib.root, samples, index, kinds, duplicates, made_current: makeCurrent, jobs, sidecars, examples, ocr_sample: ocrText(lib, join(samples, 'Documents', 'scanned-note.png')) };
  } finally {
    lib.close();
  }
}

/** The OCR text of the sample scan at PATH, if it was made. */
function ocrText(lib: Library, path: string): string | null {
  const c = [...iterateContents(lib)].find((x) => x.paths.includes(path));
  if (!c) return null;
  const ocr = new SidecarManager(lib).get(sidecarAddress(c.content_uuid, 'ocr', 'default'));
  if (ocr?.status !== 'ready' || !ocr.path) return null;
  try {
    return (JSON.parse(readFileSync(ocr.path, 'utf8')) as { text?: string }).text?.trim() || null;
  } catch {
    return null;
  }
}
