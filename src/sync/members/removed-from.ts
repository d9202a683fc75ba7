import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../../core/fs-atomic.js';

/**
 * The libraries this device was removed from (issue 57): kept in the data dir as the daemon learns
 * it from the library's records, so `devices list`, `daemon status` and the web app say it without
 * opening a library or loading the network. Worked out again at every change of the records: a
 * device let in again is taken off.
 */
export interface RemovedFrom {
  library_id: string;
  /** The library's name here. */
  library: string;
  /** The name of the device whose removal counts. */
  by: string;
  at: string;
}

const FILE = 'removed-from.json';

export function readRemovedFrom(dataDir: string): RemovedFrom[] {
  const path = join(dataDir, FILE);
  if (!existsSync(path)) return [];
  try {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as { libraries?: unknown };
    return Array.isArray(raw.libraries) ? raw.libraries.filter(isEntry) : [];
  } catch {
    // Only a note of what the records say: the daemon writes it again at the next change.
    return [];
  }
}

/** This device was removed from LIBRARYID as ENTRY says, or (null) it is not (any more); true when that changed the note. */
export function noteRemovedFrom(dataDir: string, libraryId: string, entry: Omit<RemovedFrom, 'library_id'> | null): boolean {
  const was = readRemovedFrom(dataDir);
  const rest = was.filter((r) => r.library_id !== libraryId);
  const next = entry ? [...rest, { library_id: libraryId, ...entry }] : rest;
  if (JSON.stringify(next) === JSON.stringify(was)) return false;
  writeFileAtomicSync(join(dataDir, FILE), JSON.stringify({ version: 1, libraries: next }, null, 2) + '\n', 0o600);
  return true;
}

/** Why a paired device sharing LIBRARYIDS with this one refuses it, in words (every library they share is one this device was removed from), or null. */
export function refusesThisDevice(libraryIds: readonly string[], removed: readonly RemovedFrom[]): string | null {
  const why = libraryIds.map((id) => removed.find((r) => r.library_id === id));
  if (why.length === 0 || why.some((r) => r === undefined)) return null;
  return why.map((r) => `this device was removed from ${r!.library} by ${r!.by} on ${r!.at.slice(0, 16).replace('T', ' ')} UTC`).join('; ');
}

function isEntry(v: unknown): v is RemovedFrom {
  const r = v as Record<string, unknown>;
  return typeof r === 'object' && r !== null && ['library_id', 'library', 'by', 'at'].every((k) => typeof r[k] === 'string');
}
