import type { Command } from 'commander';
import type { LibraryAccess, LibraryClient, Vss, VssClient } from '../api/index.js';
import { VssError } from '../core/errors.js';

/*
 * What a command needs to reach the core, loaded when it runs (not when the command line is
 * parsed): a command served by the daemon loads its client, not the domain (issue 43).
 */

export interface GlobalOptions {
  dataDir?: string;
  library?: string;
  json?: boolean;
}

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

/** This process's own core (commands that never go through a daemon: demo, daemon start). */
export async function vssFor(cmd: Command): Promise<Vss> {
  const { Vss } = await import('../api/vss.js');
  return new Vss({ dataDir: globals(cmd).dataDir });
}

const clients: Array<{ close?(): void }> = [];

/** The core API: the daemon's when one runs for the data dir, else this process's (DESIGN §11). */
export async function clientFor(cmd: Command): Promise<VssClient> {
  const { connect } = await import('../api/connect.js');
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

/**
 * The daemon's API, starting the daemon first when none runs (pairing and sync need a process
 * that stays: DESIGN §9 "a device answers peers only while something of it runs").
 */
export async function daemonClientFor(cmd: Command, why: string): Promise<VssClient> {
  const { resolveDataDir } = await import('../api/words.js');
  const dataDir = resolveDataDir(globals(cmd).dataDir);
  const { daemonStatus } = await import('../api/remote/status.js');
  if (!daemonStatus(dataDir).running) {
    const { startDaemon } = await import('../daemon/index.js');
    const s = await startDaemon({ dataDir });
    process.stderr.write(`vss: started the daemon ${why} (pid ${s.pid}); it stays to sync with paired devices (\`vss daemon stop\` stops it)\n`);
  }
  const client = await clientFor(cmd);
  if (!client.viaDaemon) throw new VssError('NO_DAEMON', `${why} needs the daemon, and VSS_NO_DAEMON=1 keeps this command in-process`);
  return client;
}
