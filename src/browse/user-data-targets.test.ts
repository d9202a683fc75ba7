import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Installation } from '../library/installation.js';
import { tempDir } from '../../test/helpers.js';
import { userDataTargets } from './user-data-targets.js';

/**
 * A folder's object followed by its inode (issue 59), and only when it is that folder: an inode
 * given again to a new folder (its birth time differs) is another folder; and a look alone
 * (`create` false: meta show, tag remove) changes nothing shared. Real library, real folders.
 */
describe('user data targets: a folder followed, and only that folder', () => {
  const tmp = tempDir('vss-udt-');
  after(() => tmp.cleanup());

  it('does not carry a folder\'s user data to another folder that got its inode; a look commits nothing', async () => {
    const lib = new Installation({ dataDir: join(tmp.path, 'data') }).createLibrary('U', join(tmp.path, 'libs'));
    try {
      const a = join(tmp.path, 'A');
      const b = join(tmp.path, 'B');
      mkdirSync(a);
      mkdirSync(b);
      const [first] = await userDataTargets(lib, [a], { create: true });
      // As if A were deleted and B were given its inode: the object's recorded identity is B's inode, born at another time.
      const sb = lstatSync(b);
      lib.store.objects.looked(first!.uuid, sb.ino, sb.dev, sb.birthtimeMs - 1000);
      const ops = lib.store.sharedOps.head();
      await assert.rejects(userDataTargets(lib, [b], { create: false }), /carries nothing/, 'a look at B finds nothing of A');
      assert.equal(lib.store.sharedOps.head(), ops, 'and writes nothing shared');
      const [second] = await userDataTargets(lib, [b], { create: true });
      assert.notEqual(second!.uuid, first!.uuid, 'B is a folder of its own');
      assert.equal(lib.store.objects.byUuid(first!.uuid)!.path, a, "A's object still says where A was");
    } finally {
      lib.close();
    }
  });
});
