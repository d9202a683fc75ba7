import assert from 'node:assert/strict';
import { docPages, firstPage, type DocPage } from './readme.js';

/**
 * The README's and the user guide's shell examples, run as written (issue 58: "every shell example
 * in README and guide runs in a test, extracted, not copied by hand"). This file reads the pages;
 * doc-example-run.ts runs them; test/guide/ holds the tests, a few pages each (EXAMPLE_FILES).
 *
 * Each page is one story: its ```sh blocks in order, each a `bash -e -o pipefail` script (a block
 * as a whole, not line by line: a block is what a reader pastes, its `\` continuations, `&&` and
 * `export`s included; a failing line ends the story, naming the block, the line and what the page
 * printed), bounded in time. Its shell's variables, aliases and folder carry over to the page's
 * next block on that machine, as in one terminal. The sandbox, a page's own:
 * - a temporary HOME, where the shell starts (`~/…` is the sandbox), with Desktop, Documents,
 *   Downloads, Pictures and Videos in it, empty, as on a desktop; `~/vss` is the reader's clone
 *   (this checkout), only read;
 * - a fresh data dir, the default a new user has (`VSS_DATA_DIR=~/.local/share/vss`), and `vss` on
 *   the PATH as `npm link` puts it there; `xdg-open` opens nothing (`vss ui --open`);
 * - loopback for its whole network: the home network is 127.0.0.1 (`VSS_LAN_ADDRESSES`), and the
 *   data dir keeps a loopback `--listen` and a free `--lan-port`, as if the reader had given them
 *   once: no daemon of a page is seen on the LAN (mDNS), and two runs side by side share no port.
 *   A daemon found listening elsewhere fails the page;
 * - a drive a page names at its mount point, `/media/NAME` or `/mnt/NAME` (a backup disk, a USB
 *   stick: a test cannot plug one in), is a folder of the sandbox, made before its block runs;
 * - what a page needs from outside (an S3 bucket) runs on loopback for it alone (PREPARATIONS).
 * At the end every daemon of every data dir in the sandbox is stopped (`vss daemon stop`), blocks
 * left in the background are killed (their process group, by the pid the runner has), and any
 * process still carrying the page's mark (VSS_TEST_MARK, which everything the page started
 * inherits) fails the test and is killed by its pid.
 *
 * The README's "Your first hour" is run by test/browser/ui-readme-first-hour.test.ts, up to a phone
 * opening the pairing in a browser (runElsewhere). Blocks of other kinds (```, ```ts, …) are output
 * or code, not run. An HTML comment on the lines just above a block, unseen where the page is read,
 * tells the runner what a shell cannot say. The whole vocabulary:
 *
 *   <!-- example: not run — REASON -->      the block is not run (npm ci itself, a server's
 *                                           certificate…); the reason is required, and the
 *                                           number of such blocks is held to NOT_RUN_AT_MOST
 *   <!-- example: in the background -->     the block runs without being waited for (a command
 *                                           that waits, as `vss pair start` does for the other
 *                                           device); later blocks read its output as it comes
 *   <!-- example: on NAME -->               the block runs on another machine, NAME (a HOME and a
 *                                           data dir of its own, seeded as above; a terminal of
 *                                           its own): a page about several devices; unmarked
 *                                           blocks run on the reader's own machine
 *   <!-- example: `TEXT` is /REGEX/ -->     TEXT, where it stands as a word of its own in the
 *                                           block, stands for what REGEX's first group (or whole
 *                                           match) found last in what the page printed so far,
 *                                           waited for (bounded) while a block in the background
 *                                           may still print it: a code, an id. A match stands in
 *                                           once: a later placeholder of the same REGEX waits for
 *                                           a match printed after it (a new code)
 *   <!-- example: `TEXT` is $NAME -->       TEXT stands for the sandbox's environment variable
 *                                           NAME: what the test provides (an S3 server's address;
 *                                           EXAMPLE_LISTEN, a free loopback port to --listen on,
 *                                           for a box whose page names a public one)
 *
 * Prefer an example that runs as written to an annotation.
 */

/** Blocks of the README and the guide not run, at most: each must say why. */
export const NOT_RUN_AT_MOST = 5;

/** A placeholder of a block: TEXT, and where its value comes from. */
export type Placeholder = { text: string; regex: RegExp } | { text: string; env: string };

/** One ```sh block of a page, with what its annotations say. */
export interface Example {
  page: string;
  /** The machine it runs on: 'this' (the reader's), or the one its annotation names. */
  machine: string;
  /** The line of its opening fence (1-based). */
  line: number;
  code: string;
  notRun?: string;
  background: boolean;
  placeholders: Placeholder[];
}

/** One annotation: what it says, or why it is not one the runner knows. */
function annotation(body: string, at: string): { notRun: string } | { background: true } | { machine: string } | Placeholder {
  const notRun = /^not run\s*[—–-]\s*(\S.*)$/.exec(body);
  if (notRun) return { notRun: notRun[1]!.trim() };
  if (/^not run\b/.test(body)) throw new Error(`${at}: "not run" needs a reason: <!-- example: not run — REASON -->`);
  if (body === 'in the background') return { background: true };
  const on = /^on ([a-z][a-z0-9-]*)$/.exec(body);
  if (on) return { machine: on[1]! };
  const fromOutput = /^`([^`]+)` is \/(.+)\/([a-z]*)$/.exec(body);
  if (fromOutput) return { text: fromOutput[1]!, regex: new RegExp(fromOutput[2]!, fromOutput[3]!.includes('m') ? 'gm' : 'g') };
  const fromEnv = /^`([^`]+)` is \$([A-Z_][A-Z0-9_]*)$/.exec(body);
  if (fromEnv) return { text: fromEnv[1]!, env: fromEnv[2]! };
  throw new Error(`${at}: not an annotation the runner knows: <!-- example: ${body} --> (see test/support/doc-examples.ts)`);
}

/** The ```sh blocks of PAGE, in order, with their annotations. */
export function examplesOf(page: DocPage): Example[] {
  const lines = page.text.split('\n');
  const examples: Example[] = [];
  let fence: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (fence !== null) {
      if (l.startsWith('```')) fence = null;
      continue;
    }
    if (!l.startsWith('```')) continue;
    fence = l;
    if (l.trim() !== '```sh') continue;
    let end = i + 1;
    while (end < lines.length && !lines[end]!.startsWith('```')) end++;
    const ex: Example = { page: page.path, machine: 'this', line: i + 1, code: lines.slice(i + 1, end).join('\n'), background: false, placeholders: [] };
    for (let j = i - 1; j >= 0; j--) {
      const m = /^<!-- example: (.*?) -->$/.exec(lines[j]!.trim());
      if (!m) break;
      const a = annotation(m[1]!.trim(), `${page.path}:${j + 1}`);
      if ('notRun' in a) ex.notRun = a.notRun;
      else if ('background' in a) ex.background = true;
      else if ('machine' in a) ex.machine = a.machine;
      else ex.placeholders.push(a);
    }
    examples.push(ex);
  }
  // An annotation (a line of its own) not just above a block would be ignored silently.
  const stray = lines.map((l, j) => [l, j] as const).filter(([l, j]) => /^<!-- example:/.test(l.trim()) && !/^```sh$/.test(lines.slice(j + 1).find((n) => !/^<!-- example:/.test(n.trim())) ?? ''));
  assert.deepEqual(stray.map(([, j]) => `${page.path}:${j + 1}`), [], 'annotations not just above a ```sh block');
  return examples;
}

/**
 * The README's blocks run by another test: its first page's "Your first hour", which
 * test/browser/ui-readme-first-hour.test.ts runs command by command up to a phone that opens the
 * pairing in a browser.
 */
export function runElsewhere(ex: Example): string | undefined {
  if (ex.page !== 'README.md') return undefined;
  const start = firstPage().indexOf('\n## Your first hour');
  const line = firstPage().slice(0, start).split('\n').length;
  return ex.line > line && ex.line <= firstPage().split('\n').length ? 'test/browser/ui-readme-first-hour.test.ts' : undefined;
}

/** Every block of the README and the guide. */
export function allExamples(): Example[] {
  return docPages().flatMap(examplesOf);
}

/**
 * Which test file runs which pages (test/guide/examples-NAME.test.ts runs NAME's, one page after
 * the other; the files run side by side): every page of the README and the guide is in one.
 */
export const EXAMPLE_FILES: Record<string, readonly string[]> = {
  'two-devices': ['docs/guide/two-devices.md', 'docs/guide/phone.md'],
  'devices': ['docs/guide/devices-and-relay.md', 'docs/guide/from-code.md'],
  'files': ['docs/guide/files-and-trash.md'],
  'guardian': ['docs/guide/guardian.md', 'docs/guide/search-and-web-ui.md', 'docs/guide/daemon.md'],
  'backups': ['docs/guide/library-backups.md', 'docs/guide/tags-and-xmp.md'],
  'indexing': ['README.md', 'docs/guide/README.md', 'docs/guide/installing-and-indexing.md', 'docs/guide/people.md'],
  'photos': ['docs/guide/albums-and-places.md', 'docs/guide/raw-stacks-similar.md'],
  'buckets': ['docs/guide/buckets.md', 'docs/guide/files-to-devices.md', 'docs/guide/one-library.md'],
};
