/** A loop's sleep that a poke ends early; a poke while awake makes the next sleep return at once, so none is lost. */
export class Wakeup {
  private wake: (() => void) | undefined;
  private poked = false;

  sleep(ms: number): Promise<void> {
    if (this.poked) {
      this.poked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.wake = undefined; resolve(); }, ms);
      this.wake = () => { clearTimeout(t); this.wake = undefined; resolve(); };
    });
  }

  poke(): void {
    if (this.wake) this.wake();
    else this.poked = true;
  }
}
