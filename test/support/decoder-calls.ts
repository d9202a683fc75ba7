/** For the decoder-process tests (src/generators/tools/run-in-child.test.ts): calls that misbehave on purpose. */

/** Keeps 16 MiB buffers, each written to, until an allocation fails. */
export function growBuffers(): never {
  const kept: Uint8Array[] = [];
  for (;;) kept.push(new Uint8Array(16 * 1024 * 1024).fill(1));
}

/** Keeps JS objects until V8's heap gives up (which ends the process). */
export function growHeap(): never {
  const kept: number[][] = [];
  for (;;) kept.push(Array.from({ length: 100_000 }, (_, i) => i * 1.5));
}

/** Its argument back, with 1 MiB of bytes: what crosses the process boundary. */
export function echo(arg: { text: string }): { text: string; bytes: Uint8Array; pid: number } {
  return { text: arg.text, bytes: new Uint8Array(1024 * 1024).fill(7), pid: process.pid };
}

/** Never answers. */
export function hang(): Promise<never> {
  return new Promise(() => setInterval(() => undefined, 1_000));
}

/** Says a lot on stderr, then answers. */
export function noisy(): string {
  for (let i = 0; i < 100; i++) process.stderr.write(`Exception in PromiseRejectCallback: ${i}\n`);
  return 'done';
}
