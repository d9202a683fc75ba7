import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { pdfDecompressionBomb, pdfFormDrawingItself } from '../hostile-files.js';
import { MEMORY_SKIP, runCliWatched, type WatchedRun } from '../peak-memory.js';

interface JobJson { kind: string; name: string; status: string; error: string | null; attempts: number }
interface SidecarJson { kind: string; status: string }
interface Outcome { run: WatchedRun; jobs: JobJson[]; sidecars: SidecarJson[]; tree: string }

/**
 * Hostile PDFs through the real job path (issue 18): `vss jobs run --json` on a library holding
 * FILES, each asked for a thumbnail and OCR. The job runner's own limits stay in force (60 s a
 * job, 48 s for a decoder); the test kills the whole run past 3 GiB so a regression cannot take
 * a shared machine with it.
 */
function hostilePdfRun(files: Record<string, () => Buffer>): () => Outcome {
  const tmp = tempDir('vss-hostile-pdf-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const tree = join(tmp.path, 'docs');
  let out: Outcome | undefined;
  before(async () => {
    mkdirSync(tree);
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(tree, name), bytes());
    json(await runCli(['library', 'create', 'Hostile', '--path', tmp.path, '--json'], env));
    json(await runCli(['location', 'add', tree, '--mode', 'deep', '--generate', 'thumb=grid@1x,ocr', '--json'], env));
    const run = await runCliWatched(['jobs', 'run', '--until-idle', '--json'], env, { killAboveMiB: 3 * 1024, timeoutMs: 120_000 });
    out = { run, tree, jobs: json<JobJson[]>(await runCli(['jobs', 'list', '--json'], env)), sidecars: json<SidecarJson[]>(await runCli(['sidecars', 'list', '--json'], env)) };
  });
  after(() => tmp.cleanup());
  return () => out!;
}

/** Every job failed once, for good, its error naming the file and then REASON; nothing marked ready. */
function assertFailedWith(r: Outcome, files: number, reason: RegExp): void {
  assert.equal(r.run.killed, undefined, `killed: ${r.run.killed}`);
  assert.equal(r.run.code, 0, r.run.stderr);
  assert.equal((JSON.parse(r.run.stdout) as { failed: number }).failed, 2 * files, r.run.stdout);
  assert.equal(r.jobs.length, 2 * files);
  for (const j of r.jobs) {
    assert.equal(j.status, 'failed', JSON.stringify(j));
    assert.equal(j.attempts, 1, `${j.name} ${j.kind} was retried`);
    assert.ok(j.error?.startsWith(`${join(r.tree, j.name)}: `), `${j.name} ${j.kind}: the error names the file first: ${j.error}`);
    assert.match(j.error ?? '', reason, `${j.name} ${j.kind}`);
  }
  assert.equal(r.sidecars.length, 2 * files);
  assert.ok(r.sidecars.every((s) => s.status === 'failed'), `nothing ready, no OCR "ready" with no text: ${JSON.stringify(r.sidecars)}`);
}

describe('a PDF decompression bomb (3.4 GiB of zeros in 400 KB) fails at once, within the memory bound', { skip: MEMORY_SKIP }, () => {
  // Before: one process at 9–12 GiB, the thumbnail failing only at its 48 s limit, the OCR ready with no text.
  const result = hostilePdfRun({ 'bomb.pdf': pdfDecompressionBomb });

  it('no process holds more than a decoder\'s cap and vss\'s own share', () => {
    const { run } = result();
    assert.equal(run.killed, undefined, `killed: ${run.killed}`);
    assert.ok(run.peakProcessMiB < 1024, `one process reached ${run.peakProcessMiB} MiB`);
    assert.ok(run.peakTreeMiB < 1536, `the processes held ${run.peakTreeMiB} MiB at once`);
  });

  it('the thumbnail and the OCR fail with the reason, well before the time limit', () => {
    const r = result();
    assertFailedWith(r, 1, /page 1 could not be read: it needs more memory than a decoder may use \(\d+ MiB\)/);
    assert.ok(r.run.ms < 30_000, `the run took ${r.run.ms} ms`);
  });
});

describe('a PDF whose form XObject draws itself fails at once, quietly', { skip: MEMORY_SKIP }, () => {
  // Before: 'stack' printed hundreds of V8 "Maximum call stack size exceeded" reports on stderr
  // under --json; 'fonts' recursed for ever, its memory growing, until the 48 s limit.
  const result = hostilePdfRun({ 'stack.pdf': () => pdfFormDrawingItself('stack'), 'fonts.pdf': () => pdfFormDrawingItself('fonts') });

  it('says nothing on stderr under --json', () => {
    assert.equal(result().run.stderr, '');
  });

  it('the thumbnails and the OCR fail with the reason, at once', () => {
    const r = result();
    assertFailedWith(r, 2, /page 1 could not be read: a form XObject draws itself \(object 5 0 R\)/);
    assert.ok(r.run.ms < 15_000, `the run took ${r.run.ms} ms`);
  });
});
