import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { contentUuidFor } from '../content/identity.js';
import { Installation as Vss } from '../library/installation.js';
import type { Library } from '../library/library.js';
import { addLocation, scanLocation } from '../locations/locations.js';
import { tempDir } from '../../test/helpers.js';

/** Thrown to roll a run's writes back: each run starts from the scanned library. */
class Undo extends Error {}

/**
 * A scan skips the look at every content for orphans when the entries' content index counts as
 * many contents with a file as there are contents (ContentStore.mayHaveOrphans): that count must
 * never say "none" while a content has no file, whatever links, unlinks and deletions came before.
 */
describe('mayHaveOrphans: the count agrees with the look at every content', () => {
  const tmp = tempDir('vss-orphan-count-');
  const tree = join(tmp.path, 'tree');
  let lib: Library;
  let loc = 0;

  before(async () => {
    mkdirSync(tree, { recursive: true });
    for (let i = 0; i < 8; i++) writeFileSync(join(tree, `f${i}.txt`), `bytes of file ${i}`);
    lib = new Vss({ dataDir: join(tmp.path, 'data') }).createLibrary('O', tmp.path);
    loc = addLocation(lib, tree, { mode: 'content' }).id;
    await scanLocation(lib, loc);
  });
  after(() => { lib.close(); tmp.cleanup(); });

  it('after a scan every content has its file: none', () => {
    assert.equal(lib.store.contents.mayHaveOrphans(), false);
    assert.deepEqual(lib.store.contents.orphanPage(0, 100), []);
  });

  it('says "maybe" whenever a content has no file (contents added, files relinked, contents deleted)', () => {
    const step = fc.oneof(
      fc.record({ add: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ link: fc.nat(7), to: fc.nat(20) }),
      fc.record({ drop: fc.nat(20) }),
    );
    fc.assert(fc.property(fc.array(step, { maxLength: 12 }), (steps) => {
      const { store } = lib;
      try {
        store.transaction((): void => {
          const extras: number[] = [];
          const contentIds = () => {
            const linked = store.entries.filesPage(loc, 0, 100).map((f) => f.content_id).filter((x): x is number => x != null);
            return [...new Set([...linked, ...extras])].filter((id) => store.contents.byId(id) !== undefined);
          };
          for (const s of steps) {
            const files = store.entries.filesPage(loc, 0, 100);
            if ('add' in s) {
              // Contents no file has (one a peer told of, one whose files went).
              for (let i = 0; i < s.add; i++) {
                const name = `extra ${extras.length}`;
                store.contents.addMany([{ uuid: contentUuidFor(name), cas_id: name, cas_version: 1, kind: 'unknown', mime: 'text/plain', size: 1 }], Date.now());
                extras.push(store.contents.byUuid(contentUuidFor(name))!.id);
              }
            } else if ('link' in s) {
              // A file relinked to another content (its old one may be left with none).
              const all = contentIds();
              if (all.length > 0) store.entries.linkContent(files[s.link % files.length]!, all[s.to % all.length]!, Date.now());
            } else {
              // A content deleted: its files' links are set to none by the foreign key.
              const all = contentIds();
              if (all.length > 0) store.contents.delete(all[s.drop % all.length]!);
            }
          }
          const orphans = store.contents.orphanPage(0, 1000).length;
          assert.equal(store.contents.mayHaveOrphans(), orphans > 0, `${orphans} contents without a file`);
          throw new Undo();
        });
      } catch (err) {
        if (!(err instanceof Undo)) throw err;
      }
    }), { numRuns: 150 });
  });
});
