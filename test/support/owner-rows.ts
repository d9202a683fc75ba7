import { contentUuidFor } from '../../src/content/identity.js';
import type { Library } from '../../src/library/library.js';
import type { EntryFacts } from '../../src/store/entries.js';

/** A content id of the right shape for file I (not the hash of any bytes: these rows are seeded, not scanned). */
export const casOf = (i: number): string => ((i * 2654435761) >>> 0).toString(16).padStart(8, '0') + i.toString(16).padStart(56, '0');

/**
 * A location of LIB with FILES files in folders of PER_FOLDER, each its own content, written
 * through the stores as a scan writes them (so every folder is numbered for peers). Returns the
 * location's id.
 */
export function seedOwnerRows(lib: Library, files: number, perFolder = 100, path = '/nowhere/photos'): number {
  const { store } = lib;
  const locationId = store.locations.insert({ uuid: '6d1d3c55-0000-4000-8000-00000000000a', device_id: lib.deviceId, name: 'Photos', path, kind: 'disk', index_mode: 'content', ignore_rules: '[]', generation: null });
  const rootId = store.entries.insertRoot(locationId, 'photos', 1, 0);
  const now = Date.now();
  for (let at = 0; at < files; at += perFolder * 50) {
    store.transaction(() => {
      for (let f = at; f < Math.min(files, at + perFolder * 50); f += perFolder) {
        const dir = `d${f / perFolder}`;
        const [dirId] = store.entries.insertMany(locationId, [{ parent_id: rootId, name: dir, rel_path: dir, kind: 'dir', size: 0, inode: 1_000_000_000 + f, mtime_ms: now, link_target: null }]);
        const facts: EntryFacts[] = [];
        for (let i = f; i < Math.min(files, f + perFolder); i++) {
          const name = `IMG_${String(i).padStart(7, '0')}.JPG`;
          facts.push({ parent_id: dirId!, name, rel_path: `${dir}/${name}`, kind: 'file', size: 1000 + i, inode: i + 2, mtime_ms: now, link_target: null });
        }
        const ids = store.entries.insertMany(locationId, facts);
        store.contents.addMany(facts.map((x, k) => ({ uuid: contentUuidFor(casOf(f + k)), cas_id: casOf(f + k), cas_version: 1, kind: 'image', mime: 'image/jpeg', size: x.size })), now);
        store.entries.linkContents(facts.map((x, k) => ({ file: { id: ids[k]!, name: x.name, rel_path: x.rel_path, size: x.size, inode: x.inode, mtime_ms: x.mtime_ms }, uuid: contentUuidFor(casOf(f + k)) })), now);
      }
    });
  }
  return locationId;
}
