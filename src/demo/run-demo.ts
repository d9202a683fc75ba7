import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Vss } from '../api/vss.js';
import { iterateContents } from '../content/list-contents.js';
import type { Library } from '../library/library.js';
import { addLocation, scanLocation } from '../locations/locations.js';
import type { IndexResult } from '../indexer/types.js';
import { buildSampleSet } from './sample-set.js';

export interface DemoSummary {
  folder: string;
  library: string;
  samples: string;
  index: IndexResult;
  kinds: Record<string, number>;
  duplicates: Array<{ content_uuid: string; paths: string[] }>;
  made_current: boolean;
}

/**
 * The built-in default job: a fresh folder with a library and a sample set, indexed in content
 * mode. The library becomes current only if the user has none yet.
 */
export async function runDemo(vss: Vss, opts: { path?: string; onLibrary?: (lib: Library) => void } = {}): Promise<DemoSummary> {
  const folder = opts.path ? resolve(opts.path) : mkdtempSync(join(tmpdir(), 'vss-demo-'));
  mkdirSync(folder, { recursive: true });
  const samples = join(folder, 'Samples');
  await buildSampleSet(samples);

  const makeCurrent = vss.registry.current() === null;
  const lib = vss.createLibrary('Demo', folder, { makeCurrent });
  try {
    opts.onLibrary?.(lib);
    const loc = addLocation(lib, samples, { name: 'Samples', mode: 'content' });
    const index = await scanLocation(lib, loc.id);
    const kinds: Record<string, number> = {};
    const duplicates: DemoSummary['duplicates'] = [];
    for (const c of iterateContents(lib)) {
      kinds[c.kind] = (kinds[c.kind] ?? 0) + 1;
      if (c.paths.length > 1) duplicates.push({ content_uuid: c.content_uuid, paths: c.paths });
    }
    return { folder, library: lib.root, samples, index, kinds, duplicates, made_current: makeCurrent };
  } finally {
    lib.close();
  }
}
