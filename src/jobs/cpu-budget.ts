import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError, VssError } from '../core/errors.js';
import { writeFileAtomicSync } from '../core/fs-atomic.js';
import { FileLock } from '../core/file-lock.js';

/**
 * How many cores background generation may use on this device: the most jobs the daemon runs at
 * once (besides the foreground slot) and the most threads one tool gets (ffmpeg `-threads`,
 * whisper, onnxruntime, libvips). A device's setting, not a library's (a library travels between
 * machines), kept in the data dir's `device-settings.json`.
 */
export interface CpuBudget {
  /** Cores generation may use now. */
  cores: number;
  /** Whether this is the default (every core but one) rather than the device's own setting. */
  isDefault: boolean;
  /** Cores this machine has. */
  available: number;
}

const FILE = 'device-settings.json';
const LOCK_FILE = '.device-settings.lock';

/** The default: leave one core for the user, never less than one for generation. */
export function defaultCpuBudget(available = availableParallelism()): number {
  return Math.max(1, available - 1);
}

export function readCpuBudget(dataDir: string): CpuBudget {
  const available = availableParallelism();
  const own = readDeviceSettings(dataDir).cpuBudget;
  // A hand-edited value beyond this machine (or a setting brought from a bigger one) is clamped.
  if (typeof own === 'number' && Number.isInteger(own) && own >= 1) return { cores: Math.min(own, available), isDefault: false, available };
  return { cores: defaultCpuBudget(available), isDefault: true, available };
}

/** Set the budget to CORES (1 to the cores this machine has), or back to the default with 'default'. */
export function writeCpuBudget(dataDir: string, cores: number | 'default'): CpuBudget {
  const available = availableParallelism();
  if (cores !== 'default' && !(Number.isInteger(cores) && cores >= 1 && cores <= available)) {
    throw new UsageError(`the CPU budget must be a whole number of cores from 1 to ${available} (this machine's), or "default"; got ${JSON.stringify(cores)}`);
  }
  updateDeviceSettings(dataDir, (settings) => {
    if (cores === 'default') delete settings.cpuBudget;
    else settings.cpuBudget = cores;
  });
  return readCpuBudget(dataDir);
}

/** Hear of budget changes made in this process (the daemon applies them to its running work). Returns the unsubscribe. */
export function onCpuBudgetChange(dataDir: string, fn: (b: CpuBudget) => void): () => void {
  return onDeviceSettingChange(dataDir, 'cpuBudget', () => fn(readCpuBudget(dataDir)));
}

/** Listeners per data dir and per top-level field of the settings file. */
const listeners = new Map<string, Set<{ field: string; fn: () => void }>>();

/**
 * Hear of a change of one top-level FIELD of the data dir's device settings made in this process
 * (every writer goes through `updateDeviceSettings`, which tells). Returns the unsubscribe.
 */
export function onDeviceSettingChange(dataDir: string, field: string, fn: () => void): () => void {
  const key = resolve(dataDir);
  let set = listeners.get(key);
  if (!set) listeners.set(key, (set = new Set()));
  const entry = { field, fn };
  set.add(entry);
  return () => set.delete(entry);
}

/**
 * Change the data dir's device settings under its lock: EDIT gets every field of the file (ones
 * it does not know too, which are kept) and changes its own; the file is written atomically.
 */
export function updateDeviceSettings(dataDir: string, edit: (settings: Record<string, unknown>) => void): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  let before: Record<string, unknown> = {};
  let after: Record<string, unknown> = {};
  FileLock.withLock(join(dataDir, LOCK_FILE), () => {
    const settings = readDeviceSettings(dataDir);
    before = structuredClone(settings);
    edit(settings);
    after = settings;
    writeFileAtomicSync(join(dataDir, FILE), JSON.stringify(settings, null, 2) + '\n');
  });
  for (const { field, fn } of [...(listeners.get(resolve(dataDir)) ?? [])]) {
    if (JSON.stringify(before[field]) !== JSON.stringify(after[field])) fn();
  }
}

/** The file's settings, every field kept (ones this version does not know too). */
export function readDeviceSettings(dataDir: string): Record<string, unknown> {
  const path = join(dataDir, FILE);
  if (!existsSync(path)) return {};
  try {
    const raw: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return raw && typeof raw === 'object' && !Array.isArray(raw) ? raw as Record<string, unknown> : {};
  } catch (err) {
    throw new VssError('IO', `${FILE} is not valid JSON: ${(err as Error).message}`, { path, cause: err });
  }
}
