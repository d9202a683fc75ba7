import { realpathSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
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

/**
 * As resolveLocationRef, or else a folder inside a location of this device (issue 59: `location
 * rescan PATH/SUB`): the location and the folder's path in it ('/'-separated).
 */
export async function resolveLocationOrFolder(lib: LibraryClient, ref: string): Promise<{ id: number; folder?: string }> {
  try {
    return { id: await resolveLocationRef(lib, ref) };
  } catch (err) {
    if (!(err instanceof UsageError) || !/^no location has/.test(err.message)) throw err;
    let abs: string;
    try {
      abs = realpathSync(resolve(ref));
    } catch {
      throw err;
    }
    // The deepest location holding it (one location may lie inside another's folder).
    const holding = (await lib.locations.list()).filter((l) => typeof l.path === 'string' && abs.startsWith(l.path.endsWith(sep) ? l.path : l.path + sep)).sort((a, b) => b.path.length - a.path.length)[0];
    if (!holding) throw err;
    return { id: holding.id, folder: relative(holding.path, abs).split(sep).join('/') };
  }
}
