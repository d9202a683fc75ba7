import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Installation } from '../library/installation.js';
import { tempDir } from '../../test/helpers.js';
import { LibraryApi } from '../api/library-api.js';
import { SharedData } from './shared-data.js';
import { fullStateOps } from './shared-log.js';
import { checkOp } from './shared-op.js';

/**
 * A folder's user data is shared data (issue 59): its object and its tagging reach another member
 * of the library as every tag does, by the log or by the full state, and that device's search
 * finds the folder on the device that holds it. Real libraries on real files.
 */
describe('objects: user data on folders, shared', () => {
  const tmp = tempDir('vss-objects-');
  after(() => tmp.cleanup());

  it('a tagged folder reaches another device by the log and by the full state, found there at DEVICE:PATH', async () => {
    const folder = join(tmp.path, 'home', 'Scans');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'a.pdf'), 'a scan\n');
    const a = new Installation({ dataDir: join(tmp.path, 'a') }).createLibrary('A', join(tmp.path, 'libs-a'));
    const b = new Installation({ dataDir: join(tmp.path, 'b') }).createLibrary('B', join(tmp.path, 'libs-b'));
    try {
      const apiA = new LibraryApi(a, { dataDir: join(tmp.path, 'a'), access: 'write' });
      await apiA.tags.add('Taxes', [folder]);
      for (const [how, ops] of [['the log', new SharedData(a).since(0).ops], ['the full state', [...fullStateOps(a)]]] as const) {
        const fresh = new Installation({ dataDir: join(tmp.path, `b-${how.length}`) }).createLibrary('B2', join(tmp.path, `libs-b-${how.length}`));
        try {
          const r = new SharedData(fresh).receive(ops, a.device.uuid);
          assert.deepEqual(r.refused, [], how);
          const apiB = new LibraryApi(fresh, { dataDir: join(tmp.path, 'b'), access: 'write' });
          const found = await apiB.search.query('tag:Taxes');
          assert.equal(found.length, 1, how);
          const f = found[0]!;
          assert.ok('object_uuid' in f && f.kind === 'folder' && f.path.endsWith(`:${folder}`), `${how}: ${JSON.stringify(f)}`);
          assert.deepEqual(f.paths, [], `${how}: not a path of this device`);
        } finally {
          fresh.close();
        }
      }
    } finally {
      a.close();
      b.close();
    }
  });

  it('refuses an object operation a peer could abuse: a relative path, a NUL, an unknown kind or field', () => {
    const hlc = '1900000000000-000000-c0000000-0000-4000-8000-000000000001';
    const id = 'c0000000-0000-4000-8000-000000000002';
    const dev = 'c0000000-0000-4000-8000-000000000003';
    const good = checkOp({ hlc, record: 'object', id, set: { device: dev, kind: 'folder', path: '/home/me/Scans' } });
    assert.ok(!('refused' in good), JSON.stringify(good));
    for (const set of [{ path: 'home/me' }, { path: '/a\0b' }, { kind: 'disk' }, { device: 'me' }, { path: `/${'x'.repeat(5000)}` }, { owner: 'x' }, {}]) {
      assert.ok('refused' in checkOp({ hlc, record: 'object', id, set }), JSON.stringify(set));
    }
  });
});
