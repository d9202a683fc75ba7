import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ExifTool } from 'exiftool-vendored';
import { FIXTURES, FIXTURES_SKIP, json, tempDir, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { pairDaemons } from '../sync-peers.js';
import type { StackView } from '../../src/wire/stacks.js';

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0'];

/**
 * Stacks are shared data (issue 45), between two real daemons over loopback: a RAW and its
 * camera's JPEG found by the laptop's deep scan show as one stack on the desktop, which holds
 * neither file; the desktop makes the RAW its face, the laptop sees it, and the laptop's scan
 * finding the stack again leaves that choice on both.
 */
describe('stacks across two devices', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir('vss-stacks-x-');
  const device = (d: string): Record<string, string> => ({ VSS_DATA_DIR: join(tmp.path, d) });
  const [A, B] = [device('a'), device('b')];
  const card = join(tmp.path, 'card');
  const raw = join(card, 'DSC_0001.NEF');
  const jpeg = join(card, 'DSC_0001.JPG');
  after(async () => {
    await Promise.all([A, B].map((e) => runCli(['daemon', 'stop'], e)));
    tmp.cleanup();
  });
  const ok = async <T>(env: Record<string, string>, args: string[]): Promise<T> => {
    const r = await runCli([...args, '--json'], env);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return json<T>(r);
  };
  const stacksOn = (env: Record<string, string>) => ok<StackView[]>(env, ['stacks', 'list']);

  before(async () => {
    mkdirSync(card);
    copyFileSync(join(FIXTURES, 'raw/nikon-d7100.NEF'), raw);
    const et = new ExifTool({ maxProcs: 1 });
    try {
      await et.extractBinaryTag('JpgFromRaw', raw, jpeg);
      await et.write(jpeg, {} as never, { writeArgs: ['-overwrite_original', '-TagsFromFile', raw, '-DateTimeOriginal', '-Make', '-Model'] });
    } finally {
      await et.end();
    }
    assert.equal((await runCli(['library', 'create', 'Home', '--path', join(tmp.path, 'libs')], A)).code, 0);
    for (const env of [A, B]) assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], env)).code, 0);
    await pairDaemons(A, B);
    const r = await runCli(['location', 'add', card, '--name', 'Card', '--mode', 'deep', '--generate', 'none'], A);
    assert.equal(r.code, 0, r.stderr);
  });

  it('the laptop\'s stack shows on the desktop; the desktop\'s choice of cover holds on both, through a scan', async () => {
    const [found] = await until('the stack on the laptop', 20_000, async () => { const s = await stacksOn(A); return s.length === 1 ? s : undefined; }, 200);
    assert.equal(found!.kind, 'raw+jpeg');
    const there = await until('the stack on the desktop', 30_000, async () => { const s = await stacksOn(B); return s.length === 1 ? s[0] : undefined; }, 250);
    assert.deepEqual(there, found, 'the same stack, by its id, members and cover');
    const rawUuid = found!.members.find((m) => m !== found!.cover)!;

    await ok(B, ['stack', 'set-cover', found!.stack_id, rawUuid]);
    await until('the desktop\'s cover on the laptop', 30_000, async () => ((await stacksOn(A))[0]?.cover === rawUuid ? true : undefined), 250);
    assert.equal((await runCli(['location', 'rescan', 'Card', '--force'], A)).code, 0);
    for (const env of [A, B]) assert.equal((await stacksOn(env))[0]?.cover, rawUuid, 'the chosen cover stays');
  });
});
