import { createContext, useContext } from 'react';
import type { LibraryRef } from './types.js';

/** The library the app shows (the daemon's current one), loaded once before any view. */
export const LibraryContext = createContext<LibraryRef | null>(null);

export function useLibrary(): LibraryRef {
  const lib = useContext(LibraryContext);
  if (!lib) throw new Error('useLibrary outside a LibraryContext');
  return lib;
}
