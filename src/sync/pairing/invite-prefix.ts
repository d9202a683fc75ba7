/**
 * How an invite (`pair start`'s `invite`) begins: `pair join` and the web UI's Join tell it from
 * twelve words by it. Its own module, free of Node and libp2p, so the CLI and the web app take it
 * without loading what reads an invite (./invite.ts).
 */
export const INVITE_PREFIX = 'vss-invite:';

/** Whether TEXT is meant as an invite (not twelve words). */
export function looksLikeInvite(text: string): boolean {
  return text.trim().toLowerCase().startsWith(INVITE_PREFIX);
}
