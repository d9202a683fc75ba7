/** For the worker tests: a call that keeps what it allocates until the heap limit stops it. */
export function growForever(): never {
  const kept: number[][] = [];
  for (;;) kept.push(Array.from({ length: 100_000 }, (_, i) => i * 1.5));
}
