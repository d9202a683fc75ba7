/**
 * A list's memory is bounded by a page, not by the library, also when its reader is slow: the
 * CLI runs here under a small V8 heap limit over a library whose listing is bigger than that
 * heap, and its reader stops reading until the CLI waits for it. Writes to a pipe are
 * asynchronous in Node, so a list that does not wait for its reader queues the rest of its
 * output in the heap. Nothing is timed: the CLI either prints the whole list or runs out of heap.
 * (The scan steps' pages are counted in scan-pages.test.ts.)
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { buildBigLibrary } from '../support/big-library.js';
import { VSS_BIN, tempDir } from '../helpers.js';

const CONTENTS = 12_000;
/** Bytes added to every path and error text: each list writes ~50 MB, beyond the heap limit (a page of them fits well within it). */
const PAD = 4000;
/**
 * Below the ~49 MB each list writes, above what a process holds at rest (~11 MiB) and a page of
 * 500 items of ~8 KB each (their rows, paths and lines: ~20 MiB at its peak): at 32 MiB the text
 * lists ran out of heap now and then on a page, not on the library (1 run of 4, unbundled too).
 */
const HEAP_MIB = 40;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run the CLI under the heap limit; its stdout is not read until it is asleep waiting for its
 * reader (or has exited). A list that does not wait queues the rest of its output in the heap
 * the moment the pipe is full, and no later reading can save it: its loop never yields.
 */
async function listStalled(args: string[]): Promise<Outcome> {
  const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_MIB}`, VSS_BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VSS_LOG_LEVEL: undefined, VSS_LIBRARY: undefined },
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => { stderr += b.toString('utf8'); });
  let done = false;
  void exited.then(() => { done = true; });
  let asleep = 0;
  // Bounded: 60 s at most, then read anyway (and the assertions below say what happened).
  for (let i = 0; i < 600 && !done && asleep < 3; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const started = child.stdout.readableLength > 0;
    asleep = started && processState(child.pid!) === 'S' ? asleep + 1 : 0;
  }
  const chunks: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => chunks.push(b));
  const code = await exited;
  return { code, stdout: Buffer.concat(chunks).toString('utf8'), stderr };
}

/** The scheduler state of a process (R running, S sleeping, ...), or '' once it is gone. */
function processState(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '';
  } catch {
    return '';
  }
}

describe(`lists stream to a slow reader (${CONTENTS} contents, items of ~${PAD} B, ${HEAP_MIB} MiB heap)`, { skip: process.platform !== 'linux' ? 'reads /proc' : false }, () => {
  let dir: ReturnType<typeof tempDir>;
  let dataDir: string;
  let library: string;

  before(() => {
    dir = tempDir('vss-list-memory-');
    const big = buildBigLibrary(dir.path, { contents: CONTENTS, textPad: PAD });
    dataDir = big.dataDir;
    library = big.lib.root;
    big.lib.close();
  });
  after(() => dir.cleanup());

  const cli = (...args: string[]) => ['--data-dir', dataDir, '--library', library, ...args];

  test('content list --json streams to a reader that falls behind, and the JSON is whole', async () => {
    const r = await listStalled(cli('--json', 'content', 'list'));
    assert.equal(r.code, 0, r.stderr.split('\n').filter((l) => !/^\s*[0-9]+: 0x/.test(l)).join('\n').slice(-3000));
    const items = JSON.parse(r.stdout) as Array<{ content_uuid: string; paths: string[] }>;
    assert.equal(items.length, CONTENTS);
    assert.equal(new Set(items.map((i) => i.content_uuid)).size, CONTENTS);
    assert.ok(items.every((i) => i.paths.length === 1 && i.paths[0]!.length > PAD));
  });

  test('content list (text) streams to a reader that falls behind', async () => {
    const r = await listStalled(cli('content', 'list'));
    assert.equal(r.code, 0, r.stderr.split('\n').filter((l) => !/^\s*[0-9]+: 0x/.test(l)).join('\n').slice(-3000));
    assert.equal(r.stdout.trimEnd().split('\n').length, CONTENTS);
  });

  test('sidecars list --json streams to a reader that falls behind', async () => {
    const r = await listStalled(cli('--json', 'sidecars', 'list'));
    assert.equal(r.code, 0, r.stderr.split('\n').filter((l) => !/^\s*[0-9]+: 0x/.test(l)).join('\n').slice(-3000));
    const items = JSON.parse(r.stdout) as Array<{ status: string; error: string }>;
    assert.equal(items.length, CONTENTS);
    assert.ok(items.every((i) => i.status === 'ready' && i.error.length > PAD));
  });

  test('jobs list (text) streams to a reader that falls behind', async () => {
    const r = await listStalled(cli('jobs', 'list'));
    assert.equal(r.code, 0, r.stderr.split('\n').filter((l) => !/^\s*[0-9]+: 0x/.test(l)).join('\n').slice(-3000));
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, CONTENTS);
    assert.ok(lines.every((l) => / completed .*\(attempt 2\/3\)  an earlier attempt failed: e+$/.test(l)), lines[0]);
  });
});
