/**
 * Preloaded with `node --import` to record every module a process loads: each one's URL is
 * appended, one a line, to the file named by VSS_RECORD_IMPORTS (`%p` in it: the pid). Used to prove that light
 * commands never load an engine (sharp, tesseract.js, pdfjs, onnxruntime, whisper, ffmpeg), and
 * that a daemon loads none before it is asked for work. Both loaders are watched: `require` (a
 * CommonJS package's own, or vss's `createRequire` of a package loaded at its first use) by
 * CommonJS's loader, as it loads each file; ES modules either
 *  - at the process's exit (the default): every script V8 holds then, as its debugger lists them
 *    (node:inspector's Debugger.enable reports each one parsed so far). An ES module is never
 *    unloaded (Node's loader keeps each in its map), so every one imported is there. No loader
 *    thread: that thread's start and a round trip to it at each import were half of an
 *    unbundled command's CPU under the recorder (~0.9 s of ~0.45 s without);
 *  - or, with VSS_RECORD_IMPORTS_LIVE=1, as each is resolved, by the loader's hooks (on their own
 *    thread): for a process read while it still runs (a daemon).
 */
import { appendFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import Module, { register } from 'node:module';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';

// A `%p` in the name is this process's pid: a command and the daemon it starts (which inherits the
// environment, NODE_OPTIONS included) each write their own.
const out = process.env.VSS_RECORD_IMPORTS?.replace('%p', String(process.pid));
if (out) {
  if (process.env.VSS_RECORD_IMPORTS_LIVE) register(new URL('./record-imports-hooks.js', import.meta.url), { data: { out } });
  else process.on('exit', () => appendFileSync(out, scriptsHeld().join('')));
  // A CommonJS module's file is loaded once, whoever required it (a resolve alone loads nothing).
  const cjs = Module.prototype as unknown as { load: (filename: string) => void };
  const load = cjs.load;
  cjs.load = function (this: unknown, filename: string): void {
    if (isAbsolute(filename)) appendFileSync(out, pathToFileURL(filename).href + '\n');
    load.call(this, filename);
  };
}

/**
 * The URL of each script of a file V8 holds now, a line each: ES modules by their URL, a CommonJS
 * file's by its path (Node's own, node:…, and code without a file are left out). A session on this
 * thread answers at once: the list is whole when post returns.
 */
function scriptsHeld(): string[] {
  const urls = new Set<string>();
  const session = new Session();
  session.connect();
  session.on('Debugger.scriptParsed', (m: { params: { url: string } }) => {
    const url = m.params.url;
    if (url.startsWith('file:')) urls.add(url);
    else if (isAbsolute(url)) urls.add(pathToFileURL(url).href);
  });
  let answered = false;
  session.post('Debugger.enable', () => (answered = true));
  session.disconnect();
  if (!answered) throw new Error('record-imports: the debugger did not answer at once, the list of modules would be short');
  return [...urls].map((u) => u + '\n');
}
