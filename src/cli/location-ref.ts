import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LibraryClient } from '../api/index.js';
import { UsageError } from '../core/errors.js';

/**
 * The location a command names: its id, its name, or its folder (a path, resolved here against
 * this shell's directory: the daemon's is another). When the argument could name two locations
 * (an id that is another location's folder or name; a name two share) it is refused, never guessed:
 * `remove` would forget the wrong one.
 */
export async function resolveLocationRef(lib: LibraryClient, ref: string): Promise<number> {
  const locations = await lib.locations.list();
  const paths = new Set([resolve(ref)]);
  try {
    paths.add(realpathSync(resolve(ref)));
  } catch {
    // Not a folder here: it may still be an id or a name, or the folder of a location that went away.
  }
  const byId = /^[1-9][0-9]{0,15}$/.test(ref) ? locations.filter((l) => l.id === Number(ref)) : [];
  const byPath = locations.filter((l) => paths.has(l.path));
  const byName = locations.filter((l) => l.name === ref);
  const found = byId.length > 0 ? byId : byPath.length > 0 ? byPath : byName;
  const others = [...byId, ...byPath, ...byName].filter((l) => l.id !== found[0]?.id);
  if (found.length === 1 && others.length === 0) return found[0]!.id;
  if (found.length === 0) throw new UsageError(`no location has the id, name or folder ${JSON.stringify(ref)}: see \`vss location list\` (a folder by its real path)`);
  const ids = [...new Set([...found, ...others].map((l) => l.id))].sort((a, b) => a - b);
  throw new UsageError(`${JSON.stringify(ref)} could be location ${ids.join(' or ')}: give its id (or a folder as a path with a slash, e.g. ./NAME)`);
}
