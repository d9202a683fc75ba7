/**
 * Run FN over ITEMS, at most N at once (a batch's files opened, copied or flushed in the thread
 * pool, where one after the other leaves the disk idle); the first failure is thrown once the
 * ones under way have ended, and no new one starts after it.
 */
export async function atMost<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (failed === undefined && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  if (failed !== undefined) throw failed;
}
