import type { Command } from 'commander';
import { Vss } from '../api/vss.js';
import type { Library } from '../library/library.js';

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

/** Open the selected library for the length of one command, and always close it. */
export async function withLibrary<T>(cmd: Command, fn: (lib: Library, vss: Vss) => Promise<T> | T, opts: { shared?: boolean } = {}): Promise<T> {
  const vss = vssFor(cmd);
  const lib = vss.openLibrary(globals(cmd).library, opts);
  try {
    return await fn(lib, vss);
  } finally {
    lib.close();
  }
}
