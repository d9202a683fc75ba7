import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Installation } from '../library/installation.js';
import { tempDir } from '../../test/helpers.js';

/** EntryStore.fileAt: a file of a location by its path, found a name at a time down the tree. */
describe('entries: the file at a path', () => {
  const tmp = tempDir('vss-file-at-');
  const inst = new Installation({ dataDir: join(tmp.path, 'data') });
  const lib = inst.createLibrary('F', tmp.path, { makeCurrent: false });
  after(() => {
    lib.close();
    tmp.cleanup();
  });

  it('a file at the root and deep down; a folder, a missing name, a path through a file and the root are none', () => {
    const { store } = lib;
    const loc = store.locations.insert({ uuid: '00000000-0000-4000-8000-000000000001', device_id: lib.deviceId, name: 'p', path: '/p', kind: 'disk', index_mode: 'content', ignore_rules: '[]', generation: null }, 0);
    const other = store.locations.insert({ uuid: '00000000-0000-4000-8000-000000000002', device_id: lib.deviceId, name: 'q', path: '/q', kind: 'disk', index_mode: 'content', ignore_rules: '[]', generation: null }, 0);
    const root = store.entries.insertRoot(loc, 'p', 1, 0, 0);
    const otherRoot = store.entries.insertRoot(other, 'q', 2, 0, 0);
    const at = (parent: number, name: string, rel: string, kind: 'file' | 'dir', l = loc) =>
      store.entries.insert(l, { parent_id: parent, name, rel_path: rel, kind, size: 1, inode: 0, mtime_ms: 0, link_target: null }, 0);
    const top = at(root, 'top.jpg', 'top.jpg', 'file');
    const a = at(root, 'a', 'a', 'dir');
    const b = at(a, 'b', 'a/b', 'dir');
    const deep = at(b, 'deep.jpg', 'a/b/deep.jpg', 'file');
    at(otherRoot, 'top.jpg', 'top.jpg', 'file', other);
    assert.equal(store.entries.fileAt(loc, 'top.jpg')?.id, top);
    assert.equal(store.entries.fileAt(loc, 'a/b/deep.jpg')?.id, deep);
    assert.equal(store.entries.fileAt(loc, 'a/b/deep.jpg')?.content_uuid, null);
    for (const rel of ['a', 'a/b', 'a/x.jpg', 'top.jpg/x', '', 'a//b/deep.jpg', 'nothing']) assert.equal(store.entries.fileAt(loc, rel), undefined, rel);
    assert.notEqual(store.entries.fileAt(other, 'top.jpg')?.id, top, 'the other location\'s file of that name');
  });
});
