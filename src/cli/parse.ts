import { CONTENT_KINDS, DEVICE_TYPES, INDEX_MODES, UsageError, isContentKind, isIndexMode, type ContentKind, type DeviceType, type IndexMode } from '../api/index.js';

export function parseId(value: string, what = 'ID'): number {
  if (!/^[1-9][0-9]{0,15}$/.test(value)) throw new UsageError(`${what} must be a positive whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

export function parseMode(value: string): IndexMode {
  if (!isIndexMode(value)) throw new UsageError(`--mode must be one of ${INDEX_MODES.join(', ')}, got ${JSON.stringify(value)}`);
  return value;
}

export function parseKind(value: string): ContentKind {
  if (!isContentKind(value)) throw new UsageError(`--kind must be one of ${CONTENT_KINDS.join(', ')}, got ${JSON.stringify(value)}`);
  return value;
}

export function parseDeviceType(value: string): DeviceType {
  if (!(DEVICE_TYPES as readonly string[]).includes(value)) throw new UsageError(`--device-type must be one of ${DEVICE_TYPES.join(', ')}`);
  return value as DeviceType;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
