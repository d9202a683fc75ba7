/**
 * A library whose sidecars/ holds N tiny managed sidecars at valid addresses — N/3 fake contents ×
 * 3 thumb variants — each known to the database (content identity, ready sidecar row, local
 * availability), so a reconcile of the untouched tree has nothing to change.
 *
 * Speed matters more than realism: files are written with sync calls, rows go in with prepared
 * statements in one transaction, and a content's uuid comes from its index (deterministic).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import { Installation as Vss } from '../src/library/installation.js';
import { contentUuidFor } from '../src/content/identity.js';
import type { Library } from '../src/library/library.js';
import { sidecarAddress, sidecarRelPath } from '../src/sidecars/address.js';
import { sidecarUuid } from '../src/sidecars/manager.js';

export const BENCH_VARIANTS = ['grid@1x', 'grid@2x', 'detail@1x'] as const;

export interface SidecarTree {
  lib: Library;
  contentUuids: string[];
  files: number;
  bytes: number;
  sidecarsDir: string;
}

/**
 * Make a library under WORKDIR with FILES sidecar files (rounded down to whole contents), each
 * FILE_SIZE bytes (0: ~80 bytes of text naming the address). The library is left open.
 */
export function generateSidecarLibrary(workDir: string, name: string, files: number, fileSize = 0, progress?: (done: number) => void): SidecarTree {
  const vss = new Vss({ dataDir: join(workDir, `data-${name}`) });
  const lib = vss.createLibrary(name, workDir, { makeCurrent: false });
  const contents = Math.max(1, Math.floor(files / BENCH_VARIANTS.length));
  const contentUuids: string[] = [];
  const now = Date.now();
  const db = lib.db;
  const insContent = db.prepare(
    "INSERT INTO content_identities (uuid, cas_id, cas_version, kind, mime, size, created_at) VALUES (?, ?, 1, 'image', 'image/jpeg', 1000, ?)",
  );
  const insSidecar = db.prepare(
    `INSERT INTO sidecars (uuid, content_uuid, kind, variant, format, rel_path, size, checksum, status, source, generator, created_at, updated_at)
     VALUES (?, ?, 'thumb', ?, 'webp', ?, ?, ?, 'ready', 'generated', 'bench@1', ?, ?)`,
  );
  const insAvail = lib.store.availability.heardFrom(lib.device.uuid, 0, now);
  const big = fileSize > 0 ? Buffer.alloc(fileSize) : undefined;
  let bytes = 0;
  let written = 0;
  // One transaction for everything: a million rows commit in seconds instead of hours.
  db.transaction(() => {
    for (let i = 0; i < contents; i++) {
      const casId = blake3(Buffer.from(`bench content ${name} ${i}`)).toString('hex');
      const uuid = contentUuidFor(casId);
      contentUuids.push(uuid);
      insContent.run(uuid, casId, now);
      let madeDir = false;
      for (const variant of BENCH_VARIANTS) {
        const a = sidecarAddress(uuid, 'thumb', variant);
        const rel = sidecarRelPath(a);
        const abs = join(lib.root, ...rel.split('/'));
        if (!madeDir) { mkdirSync(dirname(abs), { recursive: true }); madeDir = true; }
        let data: Buffer;
        if (big) {
          // Distinct bytes per file, so nothing can be skipped as a repeat.
          big.writeUInt32LE(i, 0);
          big.write(variant, 4);
          for (let o = 64; o < big.length; o += 4096) big.writeUInt32LE((i * 2654435761 + o) >>> 0, o);
          data = big;
        } else {
          data = Buffer.from(`RIFF fake webp ${uuid} ${variant}\n`);
        }
        writeFileSync(abs, data);
        const sum = blake3(data).toString('hex');
        insSidecar.run(sidecarUuid(uuid, 'thumb', variant), uuid, variant, rel, data.length, sum, now, now);
        insAvail.insert(uuid, 'thumb', variant, 'webp', data.length, sum);
        bytes += data.length;
        written++;
        if (progress && written % 100_000 === 0) progress(written);
      }
    }
  })();
  return { lib, contentUuids, files: written, bytes, sidecarsDir: lib.layout.sidecarsDir };
}
