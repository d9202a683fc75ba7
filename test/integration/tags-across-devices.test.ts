import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { json, tempDir, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { pairDaemons } from '../sync-peers.js';

interface Tag { uuid: string; name: string; contents: number; same_name: boolean }
interface Meta { content_uuid: string; favorite: boolean; hidden: boolean; rating: number; note: string | null; tags: string[] }

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0'];

/**
 * Shared data between three real daemons over loopback (DESIGN §15, §16): the laptop (A) and the
 * desktop (B) are paired, the phone (C) is paired with the desktop only. Each holds a copy of the
 * same photo. What one tags, rates or notes, the others show within seconds (the phone through the
 * desktop); edits made on all three at once converge; two tags given the same name on two devices
 * are both kept until one device merges them.
 */
describe('tags and user metadata across three devices', () => {
  const tmp = tempDir('vss-tags-x-');
  const device = (d: string): Record<string, string> => ({ VSS_DATA_DIR: join(tmp.path, d) });
  const [A, B, C] = [device('a'), device('b'), device('c')];
  let uuid = '';
  after(async () => {
    await Promise.all([A, B, C].map((e) => runCli(['daemon', 'stop'], e)));
    tmp.cleanup();
  });
  const ok = async <T>(env: Record<string, string>, args: string[]): Promise<T> => {
    const r = await runCli([...args, '--json'], env);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return json<T>(r);
  };
  const meta = (env: Record<string, string>) => ok<Meta>(env, ['meta', 'show', uuid]);

  before(async () => {
    for (const [d, env] of [['a', A], ['b', B], ['c', C]] as const) {
      const dir = join(tmp.path, `photos-${d}`);
      mkdirSync(dir);
      writeFileSync(join(dir, 'boat.jpg.txt'), 'the same photo on every device');
      if (d === 'a') assert.equal((await runCli(['library', 'create', 'Home', '--path', join(tmp.path, 'libs')], A)).code, 0);
      assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], env)).code, 0);
    }
    await pairDaemons(A, B);
    await pairDaemons(B, C);
    for (const [d, env] of [['a', A], ['b', B], ['c', C]] as const) {
      const r = await runCli(['location', 'add', join(tmp.path, `photos-${d}`), '--name', 'Photos', '--mode', 'content'], env);
      assert.equal(r.code, 0, r.stderr);
    }
    uuid = json<Array<{ content_uuid: string }>>(await runCli(['content', 'list', '--device', 'local', '--json'], A))[0]!.content_uuid;
  });

  it('a tag, a favourite, a rating and a note made on the laptop show on the desktop and, through it, on the phone', async () => {
    const started = Date.now();
    await ok(A, ['tag', 'add', 'Dubrovnik', uuid]);
    await ok(A, ['meta', 'set', uuid, '--favorite', '--rating', '4', '--note', 'the ferry']);
    const want = { content_uuid: uuid, favorite: true, hidden: false, rating: 4, note: 'the ferry', tags: ['Dubrovnik'] };
    for (const env of [B, C]) await until('the laptop\'s metadata there', 20_000, async () => (JSON.stringify(await meta(env)) === JSON.stringify(want) ? true : undefined), 100);
    assert.ok(Date.now() - started < 20_000);
    const found = json<Array<{ content_uuid: string }>>(await runCli(['search', 'tag:Dubrovnik', '--json'], C));
    assert.deepEqual(found.map((r) => r.content_uuid), [uuid], 'the phone finds its own copy by the tag the laptop gave it');
  });

  it('edits made on all three at once end the same on each', async () => {
    await Promise.all([
      ok(A, ['meta', 'set', uuid, '--rating', '1']),
      ok(B, ['meta', 'set', uuid, '--rating', '5', '--note', 'from the desktop']),
      ok(C, ['meta', 'set', uuid, '--no-favorite']),
      ok(C, ['tag', 'add', 'Croatia', uuid]),
      ok(A, ['tag', 'remove', 'Dubrovnik', uuid]),
    ]);
    const settled = await until('the three agree', 20_000, async () => {
      const all = await Promise.all([A, B, C].map(meta));
      const same = all.every((m) => JSON.stringify(m) === JSON.stringify(all[0]));
      return same && all[0]!.tags.includes('Croatia') && !all[0]!.tags.includes('Dubrovnik') && !all[0]!.favorite ? all[0] : undefined;
    }, 200);
    assert.ok([1, 5].includes(settled.rating), 'one of the two ratings, the same everywhere');
  });

  it('two tags made with the same name on two devices are both kept, then merged into one everywhere', async () => {
    // The phone offline while both are made: made at once online, the laptop's could reach it
    // first, and the phone would refuse a second Trips as it should (a name it holds already).
    assert.equal((await runCli(['daemon', 'stop'], C)).code, 0);
    await Promise.all([ok(A, ['tag', 'create', 'Trips']), ok(C, ['tag', 'create', 'Trips'])]);
    assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], C)).code, 0);
    const twins = await until('both Trips on the desktop', 20_000, async () => {
      const t = (await ok<Tag[]>(B, ['tag', 'list'])).filter((x) => x.name === 'Trips');
      return t.length === 2 ? t : undefined;
    }, 200);
    assert.ok(twins.every((t) => t.same_name));
    const byName = await runCli(['tag', 'add', 'Trips', uuid], B);
    assert.equal(byName.code, 2, 'a name two tags share must be given by uuid');
    assert.match(byName.stderr, /merge them/);
    await ok(B, ['tag', 'merge', twins[0]!.uuid, twins[1]!.uuid]);
    for (const env of [A, C]) {
      await until('one Trips there', 20_000, async () => ((await ok<Tag[]>(env, ['tag', 'list'])).filter((x) => x.name === 'Trips').length === 1 ? true : undefined), 200);
    }
  });

  it('a choice made offline that matches what the device held already still wins over an older one made elsewhere', async () => {
    assert.equal((await meta(B)).favorite, false);
    assert.equal((await runCli(['daemon', 'stop'], B)).code, 0);
    await ok(A, ['meta', 'set', uuid, '--favorite']);
    // Later, on the desktop, offline: "not a favourite" is what it holds already, but the user said it now.
    await ok(B, ['meta', 'set', uuid, '--no-favorite', '--note', 'B says no']);
    assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], B)).code, 0);
    for (const env of [A, B, C]) {
      await until('the desktop\'s later choice there', 20_000, async () => {
        const m = await meta(env);
        return !m.favorite && m.note === 'B says no' ? true : undefined;
      }, 200);
    }
  });
});
