import type { ContentKind, DeviceType, IndexMode } from '../api/index.js';
import { UsageError } from '../core/errors.js';
import { CONTENT_KINDS, DEVICE_TYPES, INDEX_MODES, oneOf } from '../api/kind-words.js';

export function parseId(value: string, what = 'ID'): number {
  if (!/^[1-9][0-9]{0,15}$/.test(value)) throw new UsageError(`${what} must be a positive whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

export function parseMode(value: string): IndexMode {
  return oneOf(INDEX_MODES, value, '--mode');
}

export function parseKind(value: string): ContentKind {
  return oneOf(CONTENT_KINDS, value, '--kind');
}

export function parseDeviceType(value: string): DeviceType {
  if (!(DEVICE_TYPES as readonly string[]).includes(value)) throw new UsageError(`--device-type must be one of ${DEVICE_TYPES.join(', ')}`);
  return value as DeviceType;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

const POWERS: Record<string, number> = { '': 0, K: 1, M: 2, G: 3, T: 4 };

/** A count of bytes as people write it: 500000, 20M (20 MB), 2GiB. */
export function parseBytes(v: string, name: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(i?)B?$/i.exec(v.trim());
  if (!m) throw new UsageError(`${name} takes bytes such as 500000, 20M (20 MB) or 2GiB, not ${JSON.stringify(v)}`);
  return Math.round(Number(m[1]) * (m[3] ? 1024 : 1000) ** POWERS[m[2]!.toUpperCase()]!);
}
