/**
 * Preloaded with `node --import` to record every module a process loads: each resolved URL is
 * appended, one a line, to the file named by VSS_RECORD_IMPORTS (`%p` in it: the pid). Used to prove that light
 * commands never load an engine (sharp, tesseract.js, pdfjs, onnxruntime, whisper, ffmpeg), and
 * that a daemon loads none before it is asked for work. Both loaders are watched: ESM imports
 * by the loader's hooks, and `require` (a CommonJS package's own, or vss's `createRequire` of a
 * package loaded at its first use) by CommonJS's loader.
 */
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';

// A `%p` in the name is this process's pid: a command and the daemon it starts (which inherits the
// environment, NODE_OPTIONS included) each write their own.
const out = process.env.VSS_RECORD_IMPORTS?.replace('%p', String(process.pid));
if (out) {
  register(new URL('./record-imports-hooks.js', import.meta.url), { data: { out } });
  // A CommonJS module's file is loaded once, whoever required it (a resolve alone loads nothing).
  const cjs = Module.prototype as unknown as { load: (filename: string) => void };
  const load = cjs.load;
  cjs.load = function (this: unknown, filename: string): void {
    if (isAbsolute(filename)) appendFileSync(out, pathToFileURL(filename).href + '\n');
    load.call(this, filename);
  };
}
