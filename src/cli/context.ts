import type { Command } from 'commander';
import { connect, Vss, type LibraryAccess, type LibraryClient, type VssClient } from '../api/index.js';

export interface GlobalOptions {
  dataDir?: string;
  library?: string;
  json?: boolean;
}

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

/** This process's own core (commands that never go through a daemon: demo, daemon start). */
export function vssFor(cmd: Command): Vss {
  return new Vss({ dataDir: globals(cmd).dataDir });
}

const clients: Array<{ close?(): void }> = [];

/** The core API: the daemon's when one runs for the data dir, else this process's (DESIGN §11). */
export async function clientFor(cmd: Command): Promise<VssClient> {
  const client = await connect({ dataDir: globals(cmd).dataDir });
  clients.push(client);
  return client;
}

/** Let go of the daemon's connections so the process can end. */
export function closeClients(): void {
  for (const c of clients.splice(0)) c.close?.();
}

/**
 * Run FN on the selected library for the length of one command. In-process, `read` shares it
 * with a running writer (`jobs run`) and `write` (default) holds it alone; through a daemon, the
 * daemon holds it.
 */
export async function withLibrary<T>(cmd: Command, fn: (lib: LibraryClient, vss: VssClient) => Promise<T> | T, access: LibraryAccess = 'write'): Promise<T> {
  const vss = await clientFor(cmd);
  return vss.withLibrary({ path: globals(cmd).library, access }, (lib) => fn(lib, vss));
}
