/**
 * A process-wide budget for decodes whose memory cannot be bounded by streaming: libheif holds a
 * HEIC's whole frame in WASM memory, its YCbCr planes and an RGBA copy (~15 bytes a pixel, with
 * the thread's own start-up: a 12 MP photo costs ~180 MiB). One such decode is bounded by the
 * pixel limit; several at once (a photo's thumbnail and OCR jobs, two thumbnail jobs) would add
 * up, so each waits until its estimate fits beside the others. A decode larger than the whole
 * budget still runs, alone.
 */
import { GeneratorError } from '../types.js';
import { abortReason } from './run-tool.js';

export class MemoryBudget {
  private used = 0;
  private running = 0;
  private readonly waiting: Array<{ bytes: number; grant: () => void }> = [];

  constructor(readonly totalBytes: number) {}

  /** Wait until BYTES fit (or nothing else runs); the returned function gives them back. */
  acquire(bytes: number, signal: AbortSignal): Promise<() => void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new GeneratorError(`not started: ${abortReason(signal)}`, { permanent: true }));
      const entry = {
        bytes,
        grant: () => {
          signal.removeEventListener('abort', onAbort);
          this.used += bytes;
          this.running++;
          let released = false;
          resolve(() => {
            if (released) return;
            released = true;
            this.used -= bytes;
            this.running--;
            this.admit();
          });
        },
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new GeneratorError(`stopped while waiting for memory: ${abortReason(signal)}`, { permanent: true }));
        this.admit();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
      this.admit();
    });
  }

  /** In order of arrival: the first waiter goes when it fits, or when nothing runs. */
  private admit(): void {
    for (let first = this.waiting[0]; first && (this.running === 0 || this.used + first.bytes <= this.totalBytes); first = this.waiting[0]) {
      this.waiting.shift();
      first.grant();
    }
  }
}

/** Measured on IMG_1309.HEIC (12.2 MP): 180 MiB over the process's base for one decode. */
export const HEIC_BYTES_PER_PIXEL = 15;

/** 768 MiB: two 12 MP photos decode side by side; two 48 MP photos take turns. */
export const heicDecodeBudget = new MemoryBudget(768 * 1024 * 1024);
