import type { Server, Socket } from 'node:net';

/**
 * SERVER holds at most TOTAL connections, and at most PERADDRESS from one address (one device on
 * a network, or one browser out there, cannot take most of them): a connection past either is
 * ended as it comes.
 */
export function limitConnections(server: Server, total: number, perAddress: number): void {
  server.maxConnections = total;
  const open = new Map<string, number>();
  server.on('connection', (sock: Socket) => {
    const from = sock.remoteAddress ?? '';
    const n = (open.get(from) ?? 0) + 1;
    if (n > perAddress) return void sock.destroy();
    open.set(from, n);
    sock.once('close', () => {
      const left = (open.get(from) ?? 1) - 1;
      if (left <= 0) open.delete(from);
      else open.set(from, left);
    });
  });
}
