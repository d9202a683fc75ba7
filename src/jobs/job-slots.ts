/**
 * The slots jobs run in: CORES background slots (the CPU budget) and FOREGROUND slots beyond them
 * that only a user's request may take. One runner has its own; the daemon's runners (one per open
 * library) share one, so the budget holds for the device, not for each library.
 *
 * A freed slot wakes the other runners before the one that freed it, starting after it in the
 * order they joined: each wakes in a promise reaction, in that order, and the first to look claims
 * the slot, so libraries with long queues take turns instead of one keeping the budget.
 */
export class JobSlots {
  private cores: number;
  private background = 0;
  private foreground = 0;
  private readonly members: Array<() => void> = [];

  constructor(cores: number, readonly foregroundSlots = 1) {
    this.cores = wholeCores(cores);
    this.foregroundSlots = Math.max(0, Math.floor(foregroundSlots));
  }

  /** Background slots in all. */
  get size(): number {
    return this.cores;
  }

  /** A new budget: applies at once (jobs above it finish first). */
  resize(cores: number): void {
    const was = this.cores;
    this.cores = wholeCores(cores);
    if (this.cores > was) for (const wake of [...this.members]) wake();
  }

  freeBackground(): number {
    return Math.max(0, this.cores - this.background);
  }

  freeForeground(): number {
    return Math.max(0, this.foregroundSlots - this.foreground);
  }

  take(foreground: boolean): void {
    if (foreground) this.foreground++;
    else this.background++;
  }

  /** A job of BY's ended: its slot is free; the others hear of it first. */
  give(foreground: boolean, by?: () => void): void {
    if (foreground) this.foreground = Math.max(0, this.foreground - 1);
    else this.background = Math.max(0, this.background - 1);
    const at = by ? this.members.indexOf(by) : -1;
    const order = at < 0 ? [...this.members] : [...this.members.slice(at + 1), ...this.members.slice(0, at)];
    for (const wake of order) wake();
  }

  /** WAKE is called when a slot may have come free. Returns the leave. */
  join(wake: () => void): () => void {
    this.members.push(wake);
    return () => {
      const i = this.members.indexOf(wake);
      if (i >= 0) this.members.splice(i, 1);
    };
  }
}

function wholeCores(n: number): number {
  return Math.max(1, Math.floor(n));
}
