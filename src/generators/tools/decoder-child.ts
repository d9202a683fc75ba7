/**
 * Entry of `runInChild` (run-in-child.ts): a process of its own, memory-capped by its parent.
 * Takes one call over IPC, imports the module, calls the export once, sends the answer with its
 * peak resident set (large byte arrays through files in the caller's folder: spilled-bytes.ts),
 * and leaves. It leaves at once too when its parent is gone.
 */
import { readFileSync } from 'node:fs';
import { GeneratorError } from '../types.js';
import type { ChildReply } from './run-in-child.js';
import { spillBytes } from './spilled-bytes.js';

interface Call { module: string; exportName: string; arg: unknown; spillDir: string }

process.on('disconnect', () => process.exit(0));

process.once('message', (call: Call) => {
  void answer(call).then((reply) => {
    process.send!(reply, (err: Error | null) => process.exit(err ? 3 : 0));
  });
});

async function answer({ module, exportName, arg, spillDir }: Call): Promise<ChildReply<unknown>> {
  const rss = () => process.resourceUsage().maxRSS;
  const anon = () => {
    try {
      const m = /^RssAnon:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
      return m ? Number(m[1]) : undefined;
    } catch {
      return undefined;
    }
  };
  try {
    const mod = (await import(module)) as Record<string, (a: unknown) => unknown>;
    const fn = mod[exportName];
    if (typeof fn !== 'function') throw new Error(`${module} has no export ${exportName}`);
    const value = spillBytes(await fn(arg), spillDir);
    return { ok: true, value, maxRssKiB: rss(), anonKiB: anon() };
  } catch (err) {
    const permanent = err instanceof GeneratorError ? err.permanent : true;
    return { ok: false, message: err instanceof Error ? err.message : String(err), permanent, maxRssKiB: rss(), anonKiB: anon() };
  }
}
