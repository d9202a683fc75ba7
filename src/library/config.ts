import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { VssError } from '../core/errors.js';
import { writeFileAtomicSync } from '../core/fs-atomic.js';
import { FileLock } from '../core/file-lock.js';

export interface LibrarySettings {
  /** gitignore-style rules applied to every location of this library. */
  ignore: string[];
  /** Files up to this size get a whole-file hash; larger ones a sampled one (DESIGN §1). */
  hashThresholdBytes: number;
  /** Generation policy per device type (DESIGN §8), as policy specs; absent = the built-in default. */
  generation: Partial<Record<string, string>>;
  /** OCR languages (tesseract codes), in order of preference. */
  ocrLanguages: string[];
  /** Days a finished job is kept before the job runner deletes it (a failed one stays while its sidecars are failed). */
  keepFinishedJobsDays: number;
  /** Largest HEIC file / PDF a generator reads whole, in bytes; absent = the built-in default. */
  heicMaxBytes?: number;
  pdfMaxBytes?: number;
}

export interface LibraryConfig {
  id: string;
  name: string;
  version: 1;
  createdAt: string;
  settings: LibrarySettings;
}

export const DEFAULT_IGNORE = ['.git', 'node_modules', '.DS_Store', 'Thumbs.db'];
export const DEFAULT_HASH_THRESHOLD = 256 * 1024 * 1024;
/** Bounds on values read from library.json: a hand-edited file must not make us hash 1 TiB at once. */
const MIN_THRESHOLD = 16 * 1024 * 1024;
const MAX_THRESHOLD = 16 * 1024 * 1024 * 1024;
export const DEFAULT_KEEP_FINISHED_JOBS_DAYS = 7;

export function defaultSettings(): LibrarySettings {
  return { ignore: [...DEFAULT_IGNORE], hashThresholdBytes: DEFAULT_HASH_THRESHOLD, generation: {}, ocrLanguages: ['eng'], keepFinishedJobsDays: DEFAULT_KEEP_FINISHED_JOBS_DAYS };
}

export function readLibraryConfig(path: string): LibraryConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new VssError('LIBRARY_INVALID', 'library.json is missing or not valid JSON', { path, cause: err });
  }
  const c = raw as Partial<LibraryConfig> & { settings?: Partial<LibrarySettings> };
  if (typeof c.id !== 'string' || typeof c.name !== 'string') {
    throw new VssError('LIBRARY_INVALID', 'library.json lacks id or name', { path });
  }
  const s: Partial<LibrarySettings> = c.settings ?? {};
  const ignore = Array.isArray(s.ignore) ? s.ignore.filter((r): r is string => typeof r === 'string') : [...DEFAULT_IGNORE];
  let threshold = typeof s.hashThresholdBytes === 'number' ? s.hashThresholdBytes : DEFAULT_HASH_THRESHOLD;
  if (!Number.isFinite(threshold)) threshold = DEFAULT_HASH_THRESHOLD;
  threshold = Math.min(MAX_THRESHOLD, Math.max(MIN_THRESHOLD, Math.floor(threshold)));
  return {
    id: c.id,
    name: c.name,
    version: 1,
    createdAt: c.createdAt ?? '',
    settings: {
      ignore, hashThresholdBytes: threshold, generation: stringRecord(s.generation), ocrLanguages: ocrLanguages(s.ocrLanguages),
      keepFinishedJobsDays: keepDays(s.keepFinishedJobsDays),
      ...byteSetting('heicMaxBytes', s.heicMaxBytes), ...byteSetting('pdfMaxBytes', s.pdfMaxBytes),
    },
  };
}

/** Write a whole new library.json (a library being made); changes to an existing one go through `updateLibrarySettings`. */
export function writeLibraryConfig(path: string, config: LibraryConfig): void {
  writeFileAtomicSync(path, JSON.stringify(config, null, 2) + '\n');
}

/**
 * Change the settings of the library.json at PATH: re-read under a lock beside it, change, write
 * atomically. Commands that share a library (`library policy` beside `jobs run`) each hold a copy
 * read at open; writing that copy back would undo another's change. Fields this version does not
 * know are kept as they are. Returns the settings now on disk.
 */
export function updateLibrarySettings(path: string, change: (settings: LibrarySettings) => void): LibrarySettings {
  return FileLock.withLock(join(dirname(path), '.library-json.lock'), () => {
    const settings = readLibraryConfig(path).settings;
    const before = JSON.parse(JSON.stringify(settings)) as Record<string, unknown>;
    change(settings);
    const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    const rawSettings = raw.settings && typeof raw.settings === 'object' && !Array.isArray(raw.settings) ? { ...raw.settings } as Record<string, unknown> : {};
    // Only what the change touched is written: a hand-edited value it did not touch stays as written.
    for (const [key, value] of Object.entries(settings)) {
      if (JSON.stringify(value) !== JSON.stringify(before[key])) rawSettings[key] = value;
    }
    writeFileAtomicSync(path, JSON.stringify({ ...raw, settings: rawSettings }, null, 2) + '\n');
    return readLibraryConfig(path).settings;
  });
}

/** A positive byte count, kept as written (the generators bound it); anything else is dropped. */
function byteSetting<K extends string>(key: K, v: unknown): Partial<Record<K, number>> {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? ({ [key]: Math.floor(v) } as Record<K, number>) : {};
}

function stringRecord(v: unknown): Partial<Record<string, string>> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** Language codes as tesseract names them (eng, deu, chi_sim); anything else is dropped. */
function ocrLanguages(v: unknown): string[] {
  const langs = Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && /^[a-z]{3}(_[a-z]+)?$/.test(x)).slice(0, 8) : [];
  return langs.length ? langs : ['eng'];
}

/** Days to keep finished jobs: a number from 0 (prune at every run) to ten years, else the default. */
function keepDays(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 3650 ? v : DEFAULT_KEEP_FINISHED_JOBS_DAYS;
}
