import { AsyncLocalStorage } from 'node:async_hooks';
import { createWriteStream } from 'node:fs';
import type { Libp2p, Stream } from '@libp2p/interface';
import { VssError } from '../../core/errors.js';
import { boundReceiveWindow } from './stream-windows.js';

/** How long a paced side's queue takes to go out at the budget's rate: about the longest a byte waits in the relay. */
const QUEUE_SECONDS = 0.15;
/** Bytes let out at a time to a paced side, so the budget is spent evenly, not in window-sized lumps: a 20th of a second's worth, within these. */
const MAX_SLICE = 64 * 1024;
const MIN_SLICE = 4 * 1024;

/**
 * A budget of bytes a second shared by everything that takes from it, with a burst of a quarter
 * second's worth: `take` says how long the taker should wait before it goes on. It says too how
 * a paced side spends it: SLICE bytes at a time, and at most QUEUEHIGH queued (QUEUE_SECONDS of
 * bytes) before the side it comes from is no longer read, so what waits in the relay is a fraction
 * of a second at any rate (a fixed 1 MiB was seconds at 2 MB/s, and pings behind it failed).
 */
export class ByteBudget {
  private tokens: number;
  private at: number;
  private readonly burst: number;
  readonly slice: number;
  readonly queueHigh: number;

  constructor(readonly bytesPerSecond: number, private readonly now: () => number = Date.now) {
    this.burst = Math.max(64 * 1024, bytesPerSecond / 4);
    this.tokens = this.burst;
    this.at = now();
    this.slice = Math.min(MAX_SLICE, Math.max(MIN_SLICE, Math.floor(bytesPerSecond / 20)));
    this.queueHigh = Math.max(2 * this.slice, Math.floor(bytesPerSecond * QUEUE_SECONDS));
  }

  /** Spend N bytes; the milliseconds until the budget is back above zero (0: go on at once). */
  take(n: number): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.at) / 1000) * this.bytesPerSecond);
    this.at = t;
    this.tokens -= n;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.bytesPerSecond) * 1000);
  }
}

/**
 * What the relay writes to one side of a circuit, let out within a budget: the relay's pipe hands
 * over whatever it read in one piece, so the budget is spent here, slice by slice, and the pipe's
 * close waits until all of it went out. Each direction of a circuit has its own queue, so the
 * few bytes going against a transfer (its acknowledgements, a ping's answer) never wait behind it.
 */
class PacedWrites {
  private readonly queue: Uint8Array[] = [];
  queued = 0;
  private timer: NodeJS.Timeout | undefined;
  private waiting = false;
  private pumping = false;
  private readonly idle = new Set<() => void>();

  constructor(private readonly to: Stream, private readonly budget: ByteBudget, private readonly onLow: () => void) {
    const send = to.send.bind(to);
    const close = to.close.bind(to);
    this.write = send;
    to.send = (data) => {
      this.queue.push(data instanceof Uint8Array ? data : data.subarray());
      this.queued += data.byteLength;
      this.pump();
      return true;
    };
    to.close = async (options) => {
      if (this.queued > 0) await new Promise<void>((res) => this.idle.add(res));
      return close(options);
    };
    to.addEventListener('close', () => {
      clearTimeout(this.timer);
      this.queue.length = 0;
      this.queued = 0;
      for (const res of this.idle) res();
    }, { once: true });
  }

  private readonly write: Stream['send'];

  private pump(): void {
    // Once at a time: a write or a release may call back into it.
    if (this.timer || this.waiting || this.pumping) return;
    this.pumping = true;
    try {
      while (this.queued > 0) {
        if (this.to.writableNeedsDrain) {
          this.waiting = true;
          this.to.addEventListener('drain', () => { this.waiting = false; this.pump(); }, { once: true });
          break;
        }
        const head = this.queue[0]!;
        const slice = head.byteLength > this.budget.slice ? head.subarray(0, this.budget.slice) : head;
        if (slice === head) this.queue.shift();
        else this.queue[0] = head.subarray(this.budget.slice);
        this.queued -= slice.byteLength;
        try {
          this.write(slice);
        } catch {
          return; // the stream closed under us: its 'close' empties the queue
        }
        const wait = this.budget.take(slice.byteLength);
        if (wait > 0) {
          this.timer = setTimeout(() => { this.timer = undefined; this.pump(); }, wait);
          this.timer.unref();
          break;
        }
      }
    } finally {
      this.pumping = false;
    }
    if (this.queued < this.budget.queueHigh / 2) this.onLow();
    if (this.queued > 0) return;
    for (const res of this.idle) res();
    this.idle.clear();
  }
}

/**
 * One direction of a circuit under the relay's budget: what FROM sends is let out to TO slice by
 * slice, and FROM is not read while more than the budget's queue waits (a paused stream stops
 * granting its sender window, which is what slows the sender). FROM's receive window is held to
 * about that queue too: a sender may still send its whole window once paused, which landed in a
 * read buffer of 4 MiB at most, and a window grown to 8 MiB on a fast link ended the circuit
 * (`Read buffer length … exceeded`, the relay's fault D7: each try of a copy got a few MB).
 * Without a budget no pacing is needed: the two devices' own stream windows (yamux, end to end
 * inside the circuit) already bound what a relay holds for a slow receiver.
 */
class PacedDirection {
  private held = false;
  private readonly writes: PacedWrites;

  constructor(private readonly from: Stream, to: Stream, budget: ByteBudget) {
    boundReceiveWindow(from, budget.queueHigh);
    this.writes = new PacedWrites(to, budget, () => this.release());
    from.addEventListener('message', () => {
      if (!this.held && this.writes.queued > budget.queueHigh && this.from.readStatus === 'readable') {
        this.held = true;
        this.from.pause();
      }
    });
    to.addEventListener('close', () => this.release(), { once: true });
  }

  private release(): void {
    if (!this.held) return;
    this.held = false;
    if (this.from.readStatus === 'paused') this.from.resume();
  }
}

type RelayServer = {
  onHop(stream: Stream, connection: unknown): Promise<void>;
  handleConnect(args: unknown, options: unknown): Promise<void>;
  stopHop(args: unknown, options: unknown): Promise<Stream | undefined>;
};

/**
 * Tend every circuit this node relays. js-libp2p's relay server joins a circuit's two streams by
 * `pipe(src, dst, src)`, and its `pipe` wraps each argument in a duplex of its own: the hop stream
 * is wrapped twice, and the second wrapper queues every byte the sender sends in a source nobody
 * reads, so a relay kept each relayed byte until the circuit closed (measured: 290 MiB held per
 * 256 MiB relayed, a relay daemon at 990 MiB after three transfers). That second listener is
 * taken off once the server has piped the circuit. With BYTESPERSECOND (a box on a metered or thin
 * uplink) all circuits together are kept within it too: the server has no such bound (only a total
 * of bytes a circuit, which ends a transfer).
 *
 * Called before NODE starts: the server registers its hop handler as it starts, and devices
 * dial a relay back the moment it listens again (a restart), so a circuit made between the start
 * and a handler swapped afterwards went untended: neither paced nor freed (once, 31.5 MB went
 * through a 5 MB/s relay in 1.35 s right after its restart).
 *
 * The two ends of each circuit are taken where the server makes them: the hop stream as it
 * arrives, the stop stream it opens to the destination; they are tended once it has piped them
 * (not before: a listener added earlier would be handed bytes meant for the relay's handshake).
 */
export function tendRelay(node: Libp2p, bytesPerSecond?: number, tap?: (bytes: Uint8Array) => void): void {
  const server = (node.services as { relay?: RelayServer }).relay;
  if (!server) return;
  if (node.status !== 'stopped') throw new VssError('IO', 'a relay\'s circuits are tended from before its node starts (one made earlier would go unpaced)');
  const budget = bytesPerSecond ? new ByteBudget(bytesPerSecond) : undefined;
  const circuit = new AsyncLocalStorage<{ src: Stream; dst?: Stream; piped: Array<(evt: Event) => void>; add?: Stream['addEventListener'] }>();

  // The server registers this (its own bound copy) as it starts.
  const onHop = server.onHop.bind(server);
  server.onHop = (stream, connection) => circuit.run({ src: stream, piped: [] }, () => onHop(stream, connection));

  const stopHop = server.stopHop.bind(server);
  server.stopHop = async (args, opts) => {
    const dst = await stopHop(args, opts);
    const c = circuit.getStore();
    if (c && dst) {
      c.dst = dst;
      // From here the server only pipes: the 'message' listeners it adds to the hop stream are noted.
      const add = c.src.addEventListener.bind(c.src) as (type: string, fn: (evt: Event) => void, o?: unknown) => void;
      c.add = c.src.addEventListener;
      (c.src as { addEventListener: unknown }).addEventListener = (type: string, fn: (evt: Event) => void, o?: unknown) => {
        if (type === 'message') c.piped.push(fn);
        add(type, fn, o);
      };
    }
    return dst;
  };
  const handleConnect = server.handleConnect.bind(server);
  server.handleConnect = async (args, opts) => {
    try {
      await handleConnect(args, opts);
    } finally {
      const c = circuit.getStore();
      if (c?.add) (c.src as { addEventListener: unknown }).addEventListener = c.add;
    }
    const c = circuit.getStore();
    if (!c?.dst) return;
    // The first listener feeds the destination; any after it, the unread copy.
    for (const fn of c.piped.slice(1)) c.src.removeEventListener('message', fn as never);
    if (tap) for (const s of [c.src, c.dst]) tapWrites(s, tap);
    if (!budget || c.src.status !== 'open' || c.dst.status !== 'open') return;
    new PacedDirection(c.src, c.dst, budget);
    new PacedDirection(c.dst, c.src, budget);
  };
}

/**
 * Hand TAP every byte the relay writes into STREAM (`VSS_RELAY_TAP`): what the relay itself can
 * read of a circuit, its own encryption with each side undone, so a user (and a test) can see it
 * is the devices' ciphertext and nothing else.
 */
function tapWrites(stream: Stream, tap: (bytes: Uint8Array) => void): void {
  const send = stream.send.bind(stream);
  stream.send = (data) => {
    tap(data instanceof Uint8Array ? data : data.subarray());
    return send(data);
  };
}

/**
 * `VSS_RELAY_TAP=FILE`: a relay appends to FILE every byte it carries in its circuits, as it can
 * read them (to see for oneself that they are the devices' ciphertext). Off unless set.
 */
export function relayTap(): { tap?: (bytes: Uint8Array) => void } {
  const file = process.env.VSS_RELAY_TAP;
  if (!file) return {};
  const out = createWriteStream(file, { flags: 'a', mode: 0o600 });
  return { tap: (bytes) => void out.write(Buffer.from(bytes)) };
}
