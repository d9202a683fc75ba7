import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onePagePdf } from '../build-pdf.js';
import { FIXTURES, FIXTURES_SKIP, json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

interface JobJson { id: number; kind: string; content_uuid: string; status: string; error: string | null; attempts: number }
interface ContentJson { content_uuid: string; paths: string[] }
interface RunJson { completed: number; failed: number }

const MiB = 1024 * 1024;

/**
 * Engines that hold a whole file in memory (libheif, pdfjs) refuse a file over the library's
 * limit before reading it: the job fails at once, never retried, with a reason that names the
 * limit and its setting. Sparse files make "1.2 GiB" cost nothing on disk.
 */
describe('HEIC and PDF inputs over their byte limit fail permanently (real CLI)', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir();
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const tree = join(tmp.path, 'media');
  const small = join(tmp.path, 'small');
  let jobs: JobJson[] = [];
  let contents: ContentJson[] = [];
  const jobsOf = (name: string) => {
    const c = contents.find((x) => x.paths.some((p) => p.endsWith(`/${name}`)));
    assert.ok(c, `${name} was not indexed`);
    return jobs.filter((j) => j.content_uuid === c.content_uuid);
  };

  before(async () => {
    mkdirSync(tree, { recursive: true });
    mkdirSync(small, { recursive: true });
    const heic = join(tree, 'huge.heic');
    copyFileSync(join(FIXTURES, 'exif/heic/IMG_5195.HEIC'), heic);
    truncateSync(heic, Math.round(1.2 * 1024 * MiB));
    const pdf = join(tree, 'huge.pdf');
    writeFileSync(pdf, onePagePdf('BT /F1 20 Tf 72 700 Td (big) Tj ET'));
    truncateSync(pdf, 300 * MiB);
    copyFileSync(join(FIXTURES, 'livephoto/orphan-still/IMG_1309.HEIC'), join(small, 'photo.heic'));

    const lib = json<{ path: string }>(await runCli(['library', 'create', 'Limits', '--path', tmp.path, '--json'], env));
    json(await runCli(['location', 'add', tree, '--mode', 'deep', '--generate', 'thumb=grid@1x,ocr', '--json'], env));
    const first = json<RunJson>(await runCli(['jobs', 'run', '--until-idle', '--json'], env));
    assert.equal(first.completed, 0, JSON.stringify(first));
    // The same library with a limit lowered by hand in library.json: a 2.3 MB photo is over 2 MiB.
    const configFile = join(lib.path, 'library.json');
    const config = JSON.parse(readFileSync(configFile, 'utf8')) as { settings: Record<string, unknown> };
    config.settings.heicMaxBytes = 2 * MiB;
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    json(await runCli(['location', 'add', small, '--mode', 'deep', '--generate', 'thumb=grid@1x', '--json'], env));
    json(await runCli(['jobs', 'run', '--until-idle', '--json'], env));
    jobs = json<JobJson[]>(await runCli(['jobs', 'list', '--json'], env));
    contents = json<ContentJson[]>(await runCli(['content', 'list', '--json'], env));
  });
  after(() => tmp.cleanup());

  it('fails each job once, naming the file, its size, the limit and the setting', () => {
    const expect: Array<[string, string[], RegExp]> = [
      ['huge.heic', ['ocr', 'thumb'], /huge\.heic: HEIC decoding failed: HEIC file is 1\.2 GiB, over the 64 MiB limit \(setting heicMaxBytes\)/],
      ['huge.pdf', ['ocr', 'thumb'], /huge\.pdf: PDF (rendering|text extraction) failed: PDF is 300 MiB, over the 256 MiB limit \(setting pdfMaxBytes\)/],
      ['photo.heic', ['thumb'], /photo\.heic: HEIC decoding failed: HEIC file is 2\.2 MiB, over the 2 MiB limit \(setting heicMaxBytes\)/],
    ];
    for (const [name, kinds, reason] of expect) {
      const mine = jobsOf(name);
      assert.deepEqual(mine.map((j) => j.kind).sort(), kinds, `${name}: ${JSON.stringify(mine)}`);
      for (const j of mine) {
        assert.equal(j.status, 'failed', `${name} ${j.kind}: ${JSON.stringify(j)}`);
        assert.equal(j.attempts, 1, `${name} ${j.kind} was retried`);
        assert.match(j.error ?? '', reason, `${name} ${j.kind}`);
      }
    }
  });

  it('never tries them again', async () => {
    const again = json<RunJson>(await runCli(['jobs', 'run', '--until-idle', '--json'], env));
    assert.equal(again.completed + again.failed, 0, JSON.stringify(again));
  });
});
