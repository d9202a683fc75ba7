/**
 * How near a Live Photo still is to a movie by their paths in a location: pairing ranks a still's
 * candidate movies by it (livephoto/pair.ts), and conversion gives a movie that several stills
 * share to the nearest one (convert.ts). One ranking, so the still that pairing prefers is the
 * one that gets the movie.
 */

/** Folder (exact, as the filesystem spells it) and stem (name without its last extension, lower-cased). */
export function splitPath(relPath: string): { folder: string; stem: string } {
  const slash = relPath.lastIndexOf('/');
  const folder = slash < 0 ? '' : relPath.slice(0, slash);
  const name = relPath.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  return { folder, stem: (dot > 0 ? name.slice(0, dot) : name).toLowerCase() };
}

export interface Nearness {
  /** 0 same folder and stem, 1 same folder, 2 elsewhere. */
  rank: number;
  /** For rank 2: folders shared with the still's folder (more is nearer). */
  sharedDepth: number;
}

/** How near the still at STILLREL is to the movie at MOVIEREL (both relative to one location). */
export function nearness(stillRel: string, movieRel: string): Nearness {
  const a = splitPath(stillRel);
  const b = splitPath(movieRel);
  const sameFolder = a.folder === b.folder;
  const rank = sameFolder && a.stem === b.stem ? 0 : sameFolder ? 1 : 2;
  return { rank, sharedDepth: rank === 2 ? sharedFolders(a.folder, b.folder) : 0 };
}

/** Negative when X is nearer than Y. */
export function compareNearness(x: Nearness, y: Nearness): number {
  return x.rank - y.rank || y.sharedDepth - x.sharedDepth;
}

function sharedFolders(a: string, b: string): number {
  if (a === '' || b === '') return 0;
  const x = a.split('/');
  const y = b.split('/');
  let n = 0;
  while (n < x.length && n < y.length && x[n] === y[n]) n++;
  return n;
}
