import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Installation } from '../../src/library/installation.js';
import type { Library } from '../../src/library/library.js';
import '../../src/sync/net/polyfill.js';
import { pullFeed } from '../../src/sync/feeds/engine.js';
import { serveFeeds } from '../../src/sync/feeds/registry.js';
import { librarySink, pullLibrary, type LibraryPullResult } from '../../src/sync/library/exchange.js';
import { PeerLibrary } from '../../src/sync/library/peer-library.js';
import { rowSignerOf } from '../../src/sync/net/device-key.js';
import type { RemoteDevice } from '../../src/sync/peer-link.js';
import { loopStreams } from '../safety/loop-stream.js';

/*
 * Members of one library in one process, for the tests of rows passed on between members (issue
 * 46 item 2): each its own data dir, key and library folder (the library's id as pairing leaves
 * it), its feed served by the daemon's own handlers over libp2p streams joined in memory.
 */

export interface Member {
  lib: Library;
  dataDir: string;
  remote: RemoteDevice;
}

/** Devices NAMES under ROOT, one library of id LIBRARYID (default: the first one's). */
export function members(root: string, names: string[], libraryId?: string): Member[] {
  let id = libraryId;
  return names.map((name) => {
    const dataDir = join(root, name, 'data');
    const vss = new Installation({ dataDir });
    let lib = vss.createLibrary('Shared', join(root, name));
    if (id === undefined) id = lib.config.id;
    else {
      const cfg = join(lib.root, 'library.json');
      lib.close();
      writeFileSync(cfg, JSON.stringify({ ...JSON.parse(readFileSync(cfg, 'utf8')), id }));
      lib = vss.openLibrary(lib.root);
    }
    return { lib, dataDir, remote: { deviceUuid: lib.device.uuid, peerId: `peer-${name}`, name, libraryIds: [id], publicKey: lib.device.publicKey } };
  });
}

/** A stream to FROM's feed as ASKER opens it: FROM's own handler, signing with its key (SIGNED false: as an older vss, unsigned). */
export function feedOf(from: Member, asker: Member, signed = true) {
  const [mine, theirs] = loopStreams();
  void serveFeeds(theirs, asker.remote, (id) => (id === from.lib.config.id ? from.lib : undefined), signed ? { signer: rowSignerOf(from.dataDir) } : {}).catch(() => undefined);
  return mine;
}

/** ASKER pulls OWNER's own rows from it. */
export function pullDirect(asker: Member, owner: Member, signed = true): Promise<LibraryPullResult> {
  return pullLibrary(feedOf(owner, asker, signed), new PeerLibrary(asker.lib), owner.remote, asker.lib.config.id);
}

/** ASKER pulls OWNER's rows as VIA holds them and passes them on. */
export function pullThrough(asker: Member, owner: Member, via: Member) {
  return pullFeed(feedOf(via, asker), 'library', asker.lib.config.id, librarySink(new PeerLibrary(asker.lib), owner.remote, undefined, via.remote), via.remote, { owner: owner.remote.deviceUuid });
}

/** Everything LIB holds of OWNER's rows, as lines: locations, folders (with their signatures), every entry with its content's facts. */
export function rowsOf(lib: Library, owner: string): string[] {
  const out: string[] = [];
  for (const l of lib.store.peerLocations.ofDevice(owner)) out.push(`loc ${l.location_id} ${l.name} ${l.path} ${l.files} ${l.dirs}`);
  for (const f of lib.db.prepare('SELECT location_id, path, folder_id, seq, hex(sig) AS sig FROM peer_folders WHERE device_uuid = ? ORDER BY location_id, path').all(owner) as Array<Record<string, unknown>>) {
    out.push(`folder ${Object.values(f).join(' ')}`);
  }
  const rows = lib.db.prepare(`SELECT e.location_id, e.dir_path, e.name, e.kind, e.size, e.mtime_ms, e.verified_at, c.content_uuid, c.cas_id, c.mime, c.size AS csize, c.media_metadata
    FROM peer_entries e LEFT JOIN peer_contents c ON c.id = e.content_id WHERE e.device_uuid = ? ORDER BY e.location_id, e.dir_path, e.name`).all(owner) as Array<Record<string, unknown>>;
  for (const r of rows) out.push(Object.values(r).join(' '));
  return out;
}

/** Write TEXT at PATH, its folders made. */
export function writeText(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}
