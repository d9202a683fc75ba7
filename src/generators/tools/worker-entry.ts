import { parentPort, workerData } from 'node:worker_threads';
import { GeneratorError } from '../types.js';

/** Entry of `runInWorker`: import the module, call the export once, post the answer. */
const { module, exportName, arg } = workerData as { module: string; exportName: string; arg: unknown };
try {
  const mod = (await import(module)) as Record<string, (a: unknown) => unknown>;
  const fn = mod[exportName];
  if (typeof fn !== 'function') throw new Error(`${module} has no export ${exportName}`);
  const value = await fn(arg);
  parentPort?.postMessage({ ok: true, value });
} catch (err) {
  const permanent = err instanceof GeneratorError ? err.permanent : true;
  parentPort?.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err), permanent });
}
