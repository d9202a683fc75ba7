import { generateKeyPairSync, randomUUID, createPublicKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { VssError } from '../core/errors.js';
import { writeFileAtomicSync } from '../core/fs-atomic.js';
import { FileLock } from '../core/file-lock.js';

export interface Device {
  uuid: string;
  name: string;
  /** Ed25519 public key, SPKI PEM. */
  publicKey: string;
  createdAt: string;
}

const DEVICE_FILE = 'device.json';
const KEY_FILE = 'device.key';
/** Held while a first run makes the identity, so two first runs at once end with one device. */
const CREATE_LOCK = '.device.lock';

/**
 * Load this installation's identity, creating it on first run: a random UUID that never
 * changes and an Ed25519 key pair whose private half only the owner can read.
 */
export function loadOrCreateDevice(dataDir: string): Device {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const devicePath = join(dataDir, DEVICE_FILE);
  const keyPath = join(dataDir, KEY_FILE);
  // The device file is written last, after its key: once it is there, the identity is whole.
  if (existsSync(devicePath)) return loadDevice(devicePath, keyPath);
  return FileLock.withLock(join(dataDir, CREATE_LOCK), () => {
    // Another first run may have made it while this one waited: use that one, never a second.
    if (existsSync(devicePath)) return loadDevice(devicePath, keyPath);
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const device: Device = {
      uuid: randomUUID(),
      name: hostname() || 'device',
      publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      createdAt: new Date().toISOString(),
    };
    // Key first: a device file without its key is an error, a key without a device file is just rewritten.
    writeFileAtomicSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600);
    writeFileAtomicSync(devicePath, JSON.stringify(device, null, 2) + '\n', 0o644);
    return device;
  });
}

function loadDevice(devicePath: string, keyPath: string): Device {
  const device = parseDevice(devicePath);
  if (!existsSync(keyPath)) {
    throw new VssError('DEVICE_INVALID', `device key is missing (device ${device.uuid})`, { path: keyPath });
  }
  tightenKeyMode(keyPath);
  return device;
}

function parseDevice(path: string): Device {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new VssError('DEVICE_INVALID', `device file is not valid JSON`, { path, cause: err });
  }
  const d = raw as Partial<Device>;
  if (typeof d.uuid !== 'string' || typeof d.publicKey !== 'string' || typeof d.name !== 'string') {
    throw new VssError('DEVICE_INVALID', 'device file lacks uuid, name or publicKey', { path });
  }
  createPublicKey(d.publicKey); // throws on a damaged key
  return { uuid: d.uuid, name: d.name, publicKey: d.publicKey, createdAt: d.createdAt ?? '' };
}

function tightenKeyMode(keyPath: string): void {
  if (process.platform === 'win32') return;
  const mode = statSync(keyPath).mode & 0o777;
  if (mode !== 0o600) chmodSync(keyPath, 0o600);
}
