import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_SKIP, json, tempDir } from '../helpers.js';
import { cliHere as runCli } from '../support/cli-here.js';
import { makeShoot, type Shoot } from '../support/stack-shoot.js';
import type { StackView } from '../../src/wire/stacks.js';

/**
 * Stacks (issue 45) through the CLI over real files: RAW files from three makers with their
 * cameras' JPEGs, bursts named as Samsung and Pixel phones name them and one camera's frames a
 * third of a second apart. A deep scan stacks them (and not a RAW and a JPEG of one name taken
 * 20 s apart, nor a frame 5 s later); the cover can be the RAW and stays so through a scan; a
 * tag given to one photo of a stack is the stack's; a photo in the trash leaves its stack until
 * restored; an unstacked stack stays unstacked.
 */
describe('stacks: RAW+JPEG pairs and bursts, one item each', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir('vss-stacks-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1' };
  const vss = async (...args: string[]) => {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  let shoot: Shoot;
  const uuidOf = new Map<string, string>();
  const list = async () => json<StackView[]>(await vss('stacks', 'list', '--json'));
  const stackOf = (stacks: StackView[], path: string) => stacks.find((s) => s.members.includes(uuidOf.get(path)!));

  before(async () => {
    shoot = await makeShoot(join(tmp.path, 'card'));
    await vss('library', 'create', 'Stacks');
    await vss('location', 'add', shoot.dir, '--mode', 'deep', '--generate', 'thumb,phash');
    for (const c of json<Array<{ content_uuid: string; paths: string[] }>>(await vss('content', 'list', '--json'))) for (const p of c.paths) uuidOf.set(p, c.content_uuid);
  });
  after(() => tmp.cleanup());

  it('finds each RAW with its JPEG, the JPEG its face, and each burst behind its cover; photos taken apart stay apart', async () => {
    const stacks = await list();
    assert.equal(stacks.length, shoot.pairs.length + shoot.bursts.length, JSON.stringify(stacks, null, 1));
    for (const { raw, jpeg } of shoot.pairs) {
      const s = stackOf(stacks, raw);
      assert.ok(s, `${raw} is stacked`);
      assert.equal(s.kind, 'raw+jpeg');
      assert.deepEqual(s.members, [uuidOf.get(raw)!, uuidOf.get(jpeg)!].sort());
      assert.equal(s.cover, uuidOf.get(jpeg), 'the JPEG is its face');
    }
    for (const b of shoot.bursts) {
      const s = stackOf(stacks, b.frames[0]!);
      assert.ok(s, `the ${b.how} burst is stacked`);
      assert.equal(s.kind, 'burst');
      assert.deepEqual(s.members, b.frames.map((f) => uuidOf.get(f)!).sort(), b.how);
      assert.equal(s.cover, uuidOf.get(b.frames[0]!), `the ${b.how} burst's cover`);
    }
    for (const alone of [shoot.apart.raw, shoot.apart.jpeg, join(shoot.dir, 'A7_1010.jpg')]) assert.equal(stackOf(stacks, alone), undefined, `${alone} is a photo of its own`);
    const text = (await vss('stacks', 'list')).stdout;
    assert.match(text, /raw\+jpeg/);
    // No uuid on a line: a stack by the start of its id, its cover by its file's name.
    assert.doesNotMatch(text, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/, text);
    const pair = stackOf(stacks, shoot.pairs[0]!.raw)!;
    assert.ok(text.split('\n').some((l) => l.startsWith(pair.stack_id.slice(0, 8)) && /cover \S+\.(jpe?g|JPE?G|nef|NEF|arw|ARW|cr2|CR2|dng|DNG)/.test(l)), text);
    // Search shows a stack once: the RAW and its JPEG share a name, one result stands for both.
    const hits = json<Array<{ content_uuid: string }>>(await vss('search', 'DSC_0001', '--json'));
    assert.equal(hits.length, 1, JSON.stringify(hits));
    assert.ok(stackOf(stacks, shoot.pairs[0]!.raw)!.members.includes(hits[0]!.content_uuid));
  });

  it('the RAW can be the face, on every scan after; a tag given to one photo is the whole stack\'s', async () => {
    const { raw, jpeg } = shoot.pairs[0]!;
    const id = stackOf(await list(), raw)!.stack_id;
    await vss('stack', 'set-cover', id, uuidOf.get(raw)!);
    assert.equal(stackOf(await list(), raw)!.cover, uuidOf.get(raw));
    await vss('location', 'rescan', shoot.dir, '--force');
    assert.equal(stackOf(await list(), raw)!.cover, uuidOf.get(raw), 'a scan finds the stack again and keeps the chosen cover');
    // By path too, and a content not in it is refused.
    await vss('stack', 'set-cover', id, jpeg);
    assert.equal(stackOf(await list(), raw)!.cover, uuidOf.get(jpeg));
    const stranger = await runCli(['stack', 'set-cover', id, shoot.apart.jpeg], env);
    assert.notEqual(stranger.code, 0);
    assert.match(stranger.stderr, /is not in stack/);

    await vss('tag', 'add', 'Safari', jpeg);
    await vss('meta', 'set', jpeg, '--rating', '4');
    const rawMeta = json<{ rating: number; tags: string[] }>(await vss('meta', 'show', raw, '--json'));
    assert.deepEqual([rawMeta.rating, rawMeta.tags], [4, ['Safari']], 'the RAW behind it carries them too');
    const alone = json<{ rating: number; tags: string[] }>(await vss('meta', 'show', shoot.apart.raw, '--json'));
    assert.deepEqual([alone.rating, alone.tags], [0, []]);
  });

  it('a stack\'s photo deleted into the trash leaves the stack (its other photo shows alone), and is in it again restored', async () => {
    const { raw, jpeg } = shoot.pairs[1]!;
    const id = stackOf(await list(), raw)!.stack_id;
    await vss('files', 'delete', '--force', jpeg);
    assert.equal(stackOf(await list(), raw), undefined, 'a stack of one is none: the RAW is an item of its own');
    await vss('trash', 'restore', jpeg);
    assert.equal(stackOf(await list(), raw)?.stack_id, id, 'back in its stack');
  });

  it('unstacked, its photos are items of their own again, and a scan does not stack them again', async () => {
    const frames = shoot.bursts[0]!.frames;
    const id = stackOf(await list(), frames[0]!)!.stack_id;
    // The start of its id, as the list shows it, names it.
    await vss('stack', 'unstack', id.slice(0, 8));
    assert.equal(stackOf(await list(), frames[0]!), undefined);
    await vss('location', 'rescan', shoot.dir, '--force');
    const after = await list();
    assert.equal(stackOf(after, frames[0]!), undefined, 'still unstacked');
    assert.equal(after.length, shoot.pairs.length + shoot.bursts.length - 1);
    const gone = await runCli(['stack', 'set-cover', id, uuidOf.get(frames[1]!)!], env);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /no stack/);
  });

  it('a near-duplicate stands for its stack: compared by its cover, let go whole into the trash; emptied, the rest of the stack is weighed as its own', async () => {
    await vss('jobs', 'run', '--until-idle');
    const { raw, jpeg } = shoot.pairs[2]!;
    const groups = json<Array<{ contents: Array<{ content_uuid: string; paths: string[] }> }>>(await vss('similar', '--json'));
    const g = groups.find((x) => x.contents.some((c) => c.content_uuid === uuidOf.get(jpeg)));
    assert.ok(g, `the DNG's JPEG is a near-duplicate of the smaller JPEG of its picture: ${JSON.stringify(groups)}`);
    const inIt = g.contents.map((c) => c.content_uuid);
    assert.ok(!inIt.includes(uuidOf.get(raw)!), 'the RAW behind its JPEG is not compared: its JPEG stands for it');
    const keep = uuidOf.get(shoot.apart.jpeg)!;
    assert.ok(inIt.includes(keep));
    await vss('similar', 'keep', keep, uuidOf.get(jpeg)!);
    assert.equal(existsSync(jpeg), false);
    assert.equal(existsSync(raw), false, 'the RAW went with its JPEG');
    assert.equal(existsSync(shoot.apart.jpeg), true);
    // Emptied: the JPEG goes (its picture is kept, as the smaller JPEG); the RAW was no near-duplicate, only its stack's: its last bytes stay.
    const emptied = json<{ files: number; kept: Array<{ path: string; reason: string }> }>(await vss('trash', 'empty', '--json'));
    assert.deepEqual([emptied.files, emptied.kept.map((k) => k.path)], [1, [raw]], JSON.stringify(emptied));
    await vss('trash', 'restore', raw);
    assert.ok(existsSync(raw) && !existsSync(jpeg));
    assert.equal(stackOf(await list(), raw), undefined, 'its JPEG gone for good, the RAW is a photo of its own');
  });
});
