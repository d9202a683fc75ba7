import { HybridClock } from '../core/hlc.js';
import type { Library } from '../library/library.js';
import { applyOp, checkOp, type SharedOp } from './shared-op.js';
import { MemberIntake } from './member-intake.js';

/** An operation as a caller describes it, before it is stamped. */
export type UnstampedOp = SharedOp extends infer O ? (O extends SharedOp ? Omit<O, 'hlc'> : never) : never;

/** What taking in operations did: how many were new here, how many known already, and why each refused one was. */
export interface ReceiveResult {
  applied: number;
  known: number;
  refused: string[];
}

/** Where the library's clock is kept between runs (sync_meta). */
const CLOCK_KEY = 'hlc';
/** Operations a peer may send in one batch (a page of the shared-data pull). */
export const MAX_OPS_PER_BATCH = 4096;

/**
 * A library's shared data (DESIGN §15, §16): every change made here is stamped with the library's
 * hybrid logical clock, applied and logged in one transaction; operations from paired devices are
 * checked, applied once each (in any order: the newer stamp wins per field) and logged for
 * forwarding. Both say `shared:changed`.
 */
export class SharedData {
  /** WALL: this device's clock (tests give clocks that disagree). */
  constructor(private readonly lib: Library, private readonly wall: () => number = Date.now) {}

  /** Stamp OPS in order, apply and log them; the stamped operations. */
  commit(ops: readonly UnstampedOp[]): SharedOp[] {
    if (ops.length === 0) return [];
    const store = this.lib.store;
    const stamped = store.immediate(() => {
      const clock = this.clock();
      const out = ops.map((o) => ({ ...o, hlc: clock.tick() }) as SharedOp);
      const members = this.memberIntake();
      for (const op of out) {
        applyOp(store, op, members);
        store.sharedOps.append(op.hlc, JSON.stringify(op));
      }
      store.syncMeta.set(CLOCK_KEY, clock.last);
      return out;
    });
    this.lib.events.emit('shared:changed', { ops: stamped.length, from: null });
    return stamped;
  }

  /**
   * Take in operations a paired device (FROM) sent: each checked (a bad one is refused with its
   * reason, the others go on), applied and logged unless it was here already. Whether each was new is
   * counted; the clock moves past the newest stamp seen.
   */
  receive(raw: readonly unknown[], from: string): ReceiveResult {
    return this.receiveBatches([raw], from);
  }

  /**
   * As receive, for several batches (pages of a pull) in one transaction, and THEN run in it after
   * them (the puller's cursor moves with what it took in). One commit for several pages: each
   * commit of a page of taggings writes most of the table's pages it touched again.
   */
  receiveBatches(batches: ReadonlyArray<readonly unknown[]>, from: string, then?: () => void): ReceiveResult {
    const refused: string[] = [];
    const ops: SharedOp[] = [];
    for (const raw of batches) {
      for (const r of raw.slice(0, MAX_OPS_PER_BATCH)) {
        const op = checkOp(r);
        if ('refused' in op) refused.push(op.refused);
        else ops.push(op);
      }
      if (raw.length > MAX_OPS_PER_BATCH) refused.push(`${raw.length - MAX_OPS_PER_BATCH} operations past the ${MAX_OPS_PER_BATCH} of one batch`);
    }
    const store = this.lib.store;
    let applied = 0;
    if (ops.length > 0 || then) {
      store.immediate(() => {
        const clock = this.clock();
        const members = this.memberIntake();
        for (const op of ops) {
          clock.observe(op.hlc);
          if (!store.sharedOps.append(op.hlc, JSON.stringify(op))) {
            // A membership record logged here and refused then (signed by a device a removal put
            // out) is weighed again each time it comes: that removal may count for nothing now
            // (one made without the right, taken in by an older vss), and its device may come back.
            if (op.record !== 'member' || store.libraryMembers.has(op.id)) continue;
            applyOp(store, op, members);
            if (store.libraryMembers.has(op.id)) applied++;
            continue;
          }
          applyOp(store, op, members);
          applied++;
        }
        store.syncMeta.set(CLOCK_KEY, clock.last);
        then?.();
      });
    }
    if (applied > 0) this.lib.events.emit('shared:changed', { ops: applied, from });
    return { applied, known: ops.length - applied, refused };
  }

  /** The operations logged here after SEQ (what a paired device pulls), at most LIMIT, as sent. */
  since(seq: number, limit = MAX_OPS_PER_BATCH): { seq: number; ops: unknown[] } {
    const rows = this.lib.store.sharedOps.since(seq, Math.min(limit, MAX_OPS_PER_BATCH));
    return { seq: rows.at(-1)?.seq ?? seq, ops: rows.map((r) => JSON.parse(r.op) as unknown) };
  }

  /** How membership records are weighed as they come, for one transaction's operations. */
  private memberIntake(): MemberIntake {
    return new MemberIntake(this.lib.store, this.lib.config.id, this.lib.device.publicKey, this.wall());
  }

  /** The clock as the database has it now (another process may have moved it). */
  private clock(): HybridClock {
    return new HybridClock(this.lib.device.uuid, this.lib.store.syncMeta.get(CLOCK_KEY), this.wall);
  }
}
