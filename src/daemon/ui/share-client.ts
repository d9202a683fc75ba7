import { DaemonHttp } from '../../api/remote/daemon-http.js';
import type { OperationName } from '../../api/remote/operations.js';
import type { ShareItem, ShareMade } from '../../wire/shares.js';
import { ensureDaemon } from './address.js';

/**
 * What `vss album share|unshare` and `vss shares` ask of the daemon (issue 61): a share's link is
 * made where it is served, and its guests are refused the moment the daemon that checks them is
 * told, so every change goes through the running daemon (started when none runs).
 */
async function ask<T>(dataDir: string, op: OperationName, body?: object): Promise<{ answer: T; started: number | null }> {
  const { running, started } = await ensureDaemon(dataDir);
  const client = new DaemonHttp({ socket: running.socket, token: running.token });
  try {
    return { answer: await client.call<T>(op, body ? { body } : {}), started };
  } finally {
    client.close();
  }
}

export interface ShareAsk {
  album: string;
  expires?: string;
  download?: boolean;
  upload?: boolean;
  password?: string;
  make_password?: boolean;
  by?: string;
}

export async function shareAlbum(dataDir: string, asked: ShareAsk): Promise<ShareMade & { started: number | null }> {
  const { answer, started } = await ask<ShareMade>(dataDir, 'sharesCreate', asked);
  return { ...answer, started };
}

export async function listShares(dataDir: string): Promise<ShareItem[]> {
  return (await ask<ShareItem[]>(dataDir, 'sharesList')).answer;
}

/** End the share ID, or every live share of ALBUM: the shares as ended. */
export async function revokeShares(dataDir: string, which: { id: string } | { album: string }): Promise<ShareItem[]> {
  return (await ask<ShareItem[]>(dataDir, 'sharesRevoke', which)).answer;
}
