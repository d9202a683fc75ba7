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

export interface SessionBudgetLimits {
  total: number;
  perAddress: number;
  /** Connections that have not shown a session, at most, on one server. */
  unproven: number;
  /** How long a connection that has not shown a session has for its first whole request (a TLS handshake included). */
  firstRequestMs: number;
}

interface Unproven {
  sock: Socket;
  from: string;
  timer: NodeJS.Timeout;
  /** Its server's unproven connections. */
  local: Map<string, Unproven>;
}

/**
 * The home network's connection budget (issue 57, N4): a signed-in phone is never kept out by
 * connections that show no session. Every connection starts unproven; one whose request carries
 * a valid session (`proven`) leaves that count and is bounded only by TOTAL and PERADDRESS.
 * Unproven connections get a small share (UNPROVEN a server): past it, the oldest unproven
 * connection of the address that holds the most of them is ended, so a flood from a few
 * addresses ends its own connections, never a phone's new one (it holds one, the flood many); and
 * each must bring its first whole request within FIRSTREQUESTMS, so a slow handshake or a request
 * trickled in holds its place only that long.
 */
export class SessionBudget {
  /** Unproven connections of every server, by their two ends (the same for a TLS socket and the TCP socket under it). */
  private readonly unproven = new Map<string, Unproven>();

  constructor(private readonly limits: SessionBudgetLimits) {}

  attach(server: Server): void {
    limitConnections(server, this.limits.total, this.limits.perAddress);
    const local = new Map<string, Unproven>();
    server.on('connection', (sock: Socket) => {
      if (sock.destroyed) return; // ended by the per-address limit
      const key = ends(sock);
      const from = sock.remoteAddress ?? '';
      const timer = setTimeout(() => sock.destroy(), this.limits.firstRequestMs);
      timer.unref();
      const entry = { sock, from, timer, local };
      this.unproven.set(key, entry);
      local.set(key, entry);
      sock.once('close', () => {
        clearTimeout(timer);
        if (this.unproven.get(key) === entry) this.unproven.delete(key);
        local.delete(key);
      });
      if (local.size > this.limits.unproven) evictFrom(local);
    });
    // A whole request came: its deadline is met (the connection stays unproven until it shows a session).
    server.on('request', (req: { socket: Socket }) => {
      const entry = this.unproven.get(ends(req.socket));
      if (entry) clearTimeout(entry.timer);
    });
  }

  /** Whether SOCKET (a request's) has not shown a session yet. */
  isUnproven(socket: Socket): boolean {
    return this.unproven.has(ends(socket));
  }

  /** SOCKET's request carried a valid session: the connection is out of the unproven share. */
  proven(socket: Socket): void {
    const key = ends(socket);
    const entry = this.unproven.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.unproven.delete(key);
    entry.local.delete(key);
  }
}

/** End the oldest of the connections from the address that holds the most in LOCAL (kept in arrival order). */
function evictFrom(local: Map<string, Unproven>): void {
  const counts = new Map<string, number>();
  for (const e of local.values()) counts.set(e.from, (counts.get(e.from) ?? 0) + 1);
  let most = 0;
  for (const n of counts.values()) most = Math.max(most, n);
  for (const [key, e] of local) {
    if (counts.get(e.from) !== most) continue;
    local.delete(key);
    e.sock.destroy();
    return;
  }
}

function ends(sock: Socket): string {
  return `${sock.localAddress}|${sock.localPort}|${sock.remoteAddress}|${sock.remotePort}`;
}
