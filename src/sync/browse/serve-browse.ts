import type { Stream } from '@libp2p/interface';
import { Blake3Hasher } from '@napi-rs/blake-hash';
import { browseFolder } from '../../content/browse-folder.js';
import { describeFsError } from '../../core/errors.js';
import { DEFAULT_HASH_THRESHOLD } from '../../library/config.js';
import { openInside } from '../../storage/confined-open.js';
import { PeerChannel } from '../messages/channel.js';
import { BROWSE_MAX_ENTRIES, REASON_CHARS } from '../messages/table.js';
import type { RemoteDevice } from '../peer-link.js';
import { browsableRootOf, readBrowsable } from './browsable.js';

const CHUNK = 1024 * 1024;

/**
 * Serve one /vss/browse stream from a paired device (issue 59): a listing of a folder inside a
 * root this device made browsable (kinds by each file's first bytes, nothing written), or one
 * file's bytes, opened inside its root (no symlink on its path: storage/confined-open.ts), followed
 * by their BLAKE3 as read. Anything outside the roots, or with none named, is refused with why.
 */
export async function serveBrowse(stream: Stream, _remote: RemoteDevice, dataDir: string): Promise<void> {
  const ch = new PeerChannel(stream, 'browse');
  const refuse = (reason: string) => ch.send('browse.refused', { reason: reason.slice(0, REASON_CHARS) });
  try {
    const req = await ch.receive(['browse.list', 'browse.read', 'browse.roots'], { signal: AbortSignal.timeout(30_000) });
    if (req.name === 'browse.roots') return await ch.send('browse.rootList', { paths: readBrowsable(dataDir) });
    let root: string;
    try {
      root = browsableRootOf(dataDir, req.body.path);
    } catch (err) {
      return await refuse((err as Error).message);
    }
    if (req.name === 'browse.list') {
      let listing;
      try {
        // Listed as `vss browse` lists a folder here, the root named as the folder's own (nothing beneath followed through a symlink).
        listing = await browseFolder(req.body.path, { limit: Math.min(BROWSE_MAX_ENTRIES, Math.max(1, req.body.limit)), hashThresholdBytes: DEFAULT_HASH_THRESHOLD, within: root, sniffOnly: true });
      } catch (err) {
        return await refuse((err as Error).message);
      }
      return await ch.send('browse.listing', {
        entries: listing.entries.map((e) => ({ name: e.name, type: e.type, kind: e.kind, size: e.size, modified: e.modified === null ? null : Date.parse(e.modified) })),
        truncated: listing.truncated,
      });
    }
    let opened;
    try {
      opened = await openInside(root, req.body.path);
    } catch (err) {
      return await refuse(`${req.body.path} cannot be read: ${describeFsError(err)}`);
    }
    try {
      await ch.send('browse.file', { size: opened.facts.size, mtime_ms: Math.max(0, Math.floor(opened.facts.mtimeMs)) });
      const hasher = new Blake3Hasher();
      const buf = Buffer.allocUnsafe(CHUNK);
      let sent = 0;
      // Exactly the size announced: a file that shrank meanwhile ends short (the asker notices), one that grew is cut there.
      while (sent < opened.facts.size) {
        const { bytesRead } = await opened.fh.read(buf, 0, Math.min(CHUNK, opened.facts.size - sent), sent);
        if (bytesRead === 0) break;
        const chunk = buf.subarray(0, bytesRead);
        hasher.update(chunk);
        await ch.writeBytes(Buffer.from(chunk));
        sent += bytesRead;
      }
      if (sent === opened.facts.size) await ch.send('browse.sum', { blake3: hasher.digest('hex') });
    } finally {
      await opened.fh.close();
    }
  } finally {
    await ch.close();
  }
}
