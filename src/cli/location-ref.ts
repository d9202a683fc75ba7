import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError, type LibraryClient } from '../api/index.js';

/**
 * The location a command names: its id, its name, or its folder (a path, resolved here against
 * this shell's directory: the daemon's is another). The id wins when the argument is a number
 * that is one; a name two locations share must be given by id.
 */
export async function resolveLocationRef(lib: LibraryClient, ref: string): Promise<number> {
  const locations = await lib.locations.list();
  if (/^[1-9][0-9]{0,15}$/.test(ref) && locations.some((l) => l.id === Number(ref))) return Number(ref);
  const paths = new Set([resolve(ref)]);
  try {
    paths.add(realpathSync(resolve(ref)));
  } catch {
    // Not a folder here: it may still be a name, or the path of a folder that went away.
  }
  const byPath = locations.filter((l) => paths.has(l.path));
  if (byPath.length === 1) return byPath[0]!.id;
  const byName = locations.filter((l) => l.name === ref);
  if (byName.length === 1) return byName[0]!.id;
  if (byName.length > 1) throw new UsageError(`${byName.length} locations are named ${JSON.stringify(ref)}: give its id (${byName.map((l) => l.id).join(', ')})`);
  throw new UsageError(`no location has the id, name or folder ${JSON.stringify(ref)}: see \`vss location list\``);
}
