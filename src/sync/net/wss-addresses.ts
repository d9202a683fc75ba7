import { isLoopbackAddr } from './multiaddrs.js';

/** Where the caught listener listens: loopback, any port; never announced (the box's HTTPS address is). */
export const WSS_INTERNAL_LISTEN = '/ip4/127.0.0.1/tcp/0/ws';

/** Whether ADDR is the caught listener's own address (a plain `/ws` on loopback), not to be told to anyone. */
export function isInternalWs(addr: string): boolean {
  return /\/ws(\/|$)/.test(addr) && !/\/(tls|wss)(\/|$)/.test(addr) && isLoopbackAddr(addr);
}
