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

/** Longest device name: it is shown in lists and in DEVICE:/path addresses. */
export const MAX_DEVICE_NAME = 100;

/** Why NAME cannot be a device's name, or undefined: printable, 1–100 characters, and no `:` or `/` (it begins a DEVICE:/path address). */
export function deviceNameProblem(name: string): string | undefined {
  const n = name.trim();
  if (n === '' || n.length > MAX_DEVICE_NAME) return `a device name has 1 to ${MAX_DEVICE_NAME} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(n)) return 'a device name cannot hold control characters';
  if (n.includes(':') || n.includes('/')) return 'a device name cannot hold ":" or "/" (it begins a DEVICE:/path address)';
  return undefined;
}

/**
 * A name another device says it goes by, as this one keeps and shows it: control characters taken
 * out, spaces at the ends trimmed, at most MAX_DEVICE_NAME characters; undefined when nothing is left.
 */
export function peerDeviceName(said: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  const n = [...said.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim()].slice(0, MAX_DEVICE_NAME).join('').trim();
  return n === '' ? undefined : n;
}

/** Give DEVICE a new name, written to its device file (the key and uuid never change); DEVICE is updated in place. */
export function renameDevice(dataDir: string, device: Device, name: string): Device {
  const bad = deviceNameProblem(name);
  if (bad !== undefined) throw new VssError('USAGE', bad);
  const devicePath = join(dataDir, DEVICE_FILE);
  const now = parseDevice(devicePath);
  if (now.uuid !== device.uuid) throw new VssError('DEVICE_INVALID', 'the device file names another device than this process runs as', { path: devicePath });
  writeFileAtomicSync(devicePath, JSON.stringify({ ...now, name: name.trim() }, null, 2) + '\n', 0o644);
  device.name = name.trim();
  return device;
}
