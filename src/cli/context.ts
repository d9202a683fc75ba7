import type { Command } from 'commander';
import { Vss, type LibraryAccess, type LibraryApi } from '../api/index.js';

export interface GlobalOptions {
  dataDir?: string;
  library?: string;
  json?: boolean;
}

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

export function vssFor(cmd: Command): Vss {
  return new Vss({ dataDir: globals(cmd).dataDir });
}

/**
 * Open the selected library for the length of one command, and always close it. `read` shares
 * it with a running writer (`jobs run`); `write` (default) holds it alone.
 */
export async function withLibrary<T>(cmd: Command, fn: (lib: LibraryApi, vss: Vss) => Promise<T> | T, access: LibraryAccess = 'write'): Promise<T> {
  const vss = vssFor(cmd);
  return vss.withLibrary({ path: globals(cmd).library, access }, (lib) => fn(lib, vss));
}
