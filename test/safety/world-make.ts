/**
 * How the safety world is first made (world.ts saves it as its template): SIZE devices, each with
 * its data dir and device identity, the one library (the same id on each), its inbox, a person's
 * home folder beside it (places.ts), a phone paired with every right (parties.ts), its locations
 * `main` (a folder on the tmpfs) and `drive` (its folder on the loop drive), the bucket as its
 * volume `Offsite`, and every other device in its trust file as `pair join` leaves it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LibraryApi } from '../../src/api/library-api.js';
import { BrowserDevices } from '../../src/device/browser-devices.js';
import { renameDevice } from '../../src/device/identity.js';
import { Installation } from '../../src/library/installation.js';
import type { Library } from '../../src/library/library.js';
import { writeInbox } from '../../src/sync/drop/inbox.js';
import { peerIdOfPublicKey } from '../../src/sync/net/device-key.js';
import { PairedDevices } from '../../src/sync/pairing/paired-devices.js';
import { HOME, HOME_FILES } from './places.js';
import { BUCKET } from './world.js';

export interface MadeDevice {
  vss: Installation;
  lib: Library;
  name: string;
}

/** Make the devices under ROOT (pushed to MADE as they are made, for the caller to close on a failure), DRIVEAT the drive's mount point, ENDPOINT the bucket's; the library's id. */
export async function makeDevices(root: string, size: number, driveAt: string, endpoint: string, made: MadeDevice[]): Promise<string> {
  let libraryId = '';
  for (let i = 0; i < size; i++) {
    const name = `D${i}`;
    const dataDir = join(root, name, 'data');
    renameDevice(dataDir, new Installation({ dataDir }).device, name);
    const vss = new Installation({ dataDir });
    const lib = vss.createLibrary('Safety', join(root, name, 'libs'), libraryId ? { id: libraryId } : {});
    libraryId = lib.config.id;
    writeInbox(dataDir, join(root, name, 'inbox'));
    for (const [rel, text] of Object.entries(HOME_FILES)) {
      mkdirSync(join(root, name, HOME, rel, '..'), { recursive: true });
      writeFileSync(join(root, name, HOME, rel), text);
    }
    // A phone paired with every right (parties.ts asks through its door).
    BrowserDevices.load(dataDir).add({ name: 'Phone', lan: false, session: createHash('sha256').update(randomBytes(32)).digest('hex'), may: { view: true, upload: true, organise: true, files: true }, uploads_to: { library: lib.config.id, dir: join(root, name, 'main') } });
    made.push({ vss, lib, name });
  }
  for (const [i, m] of made.entries()) {
    const api = new LibraryApi(m.lib, { dataDir: m.vss.dataDir, access: 'write' });
    const main = join(root, m.name, 'main');
    const onDrive = join(driveAt, m.name);
    mkdirSync(main, { recursive: true });
    mkdirSync(onDrive, { recursive: true });
    await api.locations.add(main, { name: 'main', mode: 'content' });
    await api.locations.add(onDrive, { name: 'drive', mode: 'content' });
    await api.volumes.add(`s3://${BUCKET}/${m.name}`, { endpoint, path_style: true, name: 'Offsite' });
    const trust = PairedDevices.load(m.vss.dataDir);
    for (const [j, other] of made.entries()) {
      if (j === i) continue;
      const d = other.vss.device;
      trust.add({ device_uuid: d.uuid, name: other.name, public_key: d.publicKey, peer_id: peerIdOfPublicKey(d.publicKey), paired_at: new Date().toISOString(), library_ids: [libraryId], addrs: [], last_seen: null });
    }
    api.close();
  }
  return libraryId;
}
