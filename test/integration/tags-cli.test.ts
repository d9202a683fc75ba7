import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

interface Tag { uuid: string; name: string; color: string | null; parent_uuid: string | null; path: string[]; contents: number; same_name: boolean }
interface Meta { content_uuid: string; favorite: boolean; hidden: boolean; rating: number; note: string | null; tags: string[] }

/**
 * `vss tag` and `vss meta` (DESIGN §11, §16) driven as a user would, over real files: in-process,
 * then the same calls through a running daemon, which must answer alike.
 */
describe('tags and user metadata from the command line', () => {
  const tmp = tempDir('vss-tags-cli-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const pics = join(tmp.path, 'pics');
  after(async () => {
    await runCli(['daemon', 'stop'], env);
    tmp.cleanup();
  });
  const ok = async <T>(args: string[]): Promise<T> => {
    const r = await runCli([...args, '--json'], env);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return json<T>(r);
  };

  before(async () => {
    mkdirSync(join(pics, '2024'), { recursive: true });
    writeFileSync(join(pics, 'boat.txt'), 'a boat');
    writeFileSync(join(pics, '2024', 'receipt.txt'), 'a receipt');
    assert.equal((await runCli(['library', 'create', 'Home', '--path', join(tmp.path, 'lib')], env)).code, 0);
    assert.equal((await runCli(['location', 'add', pics, '--name', 'Pics', '--mode', 'content'], env)).code, 0);
  });

  for (const via of ['in-process', 'through the daemon'] as const) {
    it(`a tag tree, tags on files by path and address, favourites, ratings and notes (${via})`, async () => {
      if (via === 'through the daemon') assert.equal((await runCli(['daemon', 'start'], env)).code, 0);
      const suffix = via === 'in-process' ? '' : ' 2';
      const places = await ok<Tag>(['tag', 'create', `Places${suffix}`]);
      const dub = await ok<Tag>(['tag', 'create', `Dubrovnik${suffix}`, '--parent', `Places${suffix}`, '--color', '#FF8800']);
      assert.deepEqual([dub.path, dub.color, dub.parent_uuid], [[`Places${suffix}`, `Dubrovnik${suffix}`], '#ff8800', places.uuid]);

      const added = await ok<{ changed: number; created: boolean }>(['tag', 'add', `Dubrovnik${suffix}`, join(pics, 'boat.txt'), '/Pics/2024/receipt.txt']);
      assert.deepEqual([added.changed, added.created], [2, false]);
      const again = await ok<{ changed: number }>(['tag', 'add', `Dubrovnik${suffix}`, join(pics, 'boat.txt')]);
      assert.equal(again.changed, 0, 'a content that carries the tag already is left as it is');
      const made = await ok<{ changed: number; created: boolean; tag: Tag }>(['tag', 'add', `taxes 2024${suffix}`, '/Pics/2024/receipt.txt']);
      assert.deepEqual([made.changed, made.created, made.tag.name], [1, true, `taxes 2024${suffix}`]);

      const set = await ok<Meta[]>(['meta', 'set', join(pics, 'boat.txt'), '--favorite', '--rating', '4', '--note', 'the ferry']);
      assert.deepEqual([set[0]!.favorite, set[0]!.rating, set[0]!.note], [true, 4, 'the ferry']);
      const shown = await ok<Meta>(['meta', 'show', '/Pics/2024/receipt.txt']);
      assert.deepEqual([shown.favorite, shown.rating, shown.note, shown.tags], [false, 0, null, [`Dubrovnik${suffix}`, `taxes 2024${suffix}`]]);
      const cleared = await ok<Meta[]>(['meta', 'set', shown.content_uuid, '--no-favorite', '--note', '']);
      assert.equal(cleared[0]!.note, null);

      const list = await ok<Tag[]>(['tag', 'list']);
      assert.equal(list.find((t) => t.uuid === dub.uuid)!.contents, 2);

      // Refusals, each with its reason, changing nothing.
      const loop = await runCli(['tag', 'set', `Places${suffix}`, '--parent', `Dubrovnik${suffix}`], env);
      assert.equal(loop.code, 2);
      assert.match(loop.stderr, /cannot be beneath itself/);
      const twice = await runCli(['tag', 'create', `Places${suffix}`], env);
      assert.equal(twice.code, 1);
      assert.match(twice.stderr, /is there already/);
      const rating = await runCli(['meta', 'set', shown.content_uuid, '--rating', '6'], env);
      assert.equal(rating.code, 2);
      const nothing = await runCli(['meta', 'show', '/Pics/nope.txt'], env);
      assert.equal(nothing.code, 1);
      assert.match(nothing.stderr, /no identified file/);

      // Deleting the parent moves Dubrovnik to the top; merging makes two tags one.
      await ok(['tag', 'delete', `Places${suffix}`]);
      assert.deepEqual((await ok<Tag[]>(['tag', 'list'])).find((t) => t.uuid === dub.uuid)!.path, [`Dubrovnik${suffix}`]);
      const merged = await ok<Tag>(['tag', 'merge', `taxes 2024${suffix}`, `Dubrovnik${suffix}`]);
      assert.equal(merged.contents, 2);
      assert.ok(!(await ok<Tag[]>(['tag', 'list'])).some((t) => t.name === `taxes 2024${suffix}`));
      assert.deepEqual((await ok<Meta>(['meta', 'show', '/Pics/2024/receipt.txt'])).tags, [`Dubrovnik${suffix}`]);
      const removed = await ok<{ changed: number }>(['tag', 'remove', `Dubrovnik${suffix}`, '/Pics/2024/receipt.txt']);
      assert.equal(removed.changed, 1);
    });
  }
});
