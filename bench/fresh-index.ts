/** Index a folder in a brand-new library (own data dir, own device), timing the scan and its phases. */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Vss, addLocation, scanLocation, type IndexMode, type IndexResult, type Library } from '../test/internals.js';
import { freshDir, rmrf } from './util.js';

export interface IndexRun {
  /** Wall time of scanLocation, seconds. */
  s: number;
  result: IndexResult;
  /** Seconds spent in each indexer phase (from the library's index:phase events). */
  phases: Record<string, number>;
  lib: Library;
  locationId: number;
  dir: string;
}

/** A new data dir + library under WORKDIR with one location at PATH; nothing is indexed yet. */
export function freshLibrary(workDir: string, path: string, mode: IndexMode): { lib: Library; locationId: number; dir: string } {
  const dir = freshDir(workDir, `lib-${mode}-`);
  const vss = new Vss({ dataDir: join(dir, 'data') });
  const lib = vss.createLibrary('bench', join(dir, 'libraries'));
  const loc = addLocation(lib, path, { mode });
  return { lib, locationId: loc.id, dir };
}

/** Run scanLocation on an open library, timing it and its phases. */
export async function timedScan(lib: Library, locationId: number): Promise<{ s: number; result: IndexResult; phases: Record<string, number> }> {
  const marks: Array<[string, number]> = [];
  const off = lib.events.on('index:phase', (p) => marks.push([p.phase, performance.now()]));
  const t0 = performance.now();
  let result: IndexResult;
  try {
    result = await scanLocation(lib, locationId);
  } finally {
    off();
  }
  const t1 = performance.now();
  const phases: Record<string, number> = {};
  if (marks.length > 0) phases.setup = (marks[0]![1] - t0) / 1000;
  for (let i = 0; i < marks.length; i++) {
    const end = i + 1 < marks.length ? marks[i + 1]![1] : t1;
    phases[marks[i]![0]] = (end - marks[i]![1]) / 1000;
  }
  return { s: (t1 - t0) / 1000, result, phases };
}

/** Fresh library + first index of PATH. The library stays open: the caller disposes of it. */
export async function indexFresh(workDir: string, path: string, mode: IndexMode): Promise<IndexRun> {
  const { lib, locationId, dir } = freshLibrary(workDir, path, mode);
  const scan = await timedScan(lib, locationId);
  return { ...scan, lib, locationId, dir };
}

export function disposeRun(run: { lib: Library; dir: string }, keep = false): void {
  run.lib.close();
  if (!keep) rmrf(run.dir);
}
