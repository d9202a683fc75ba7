import { CONTENT_KINDS, DEVICE_TYPES, INDEX_MODES, UsageError, oneOf, type ContentKind, type DeviceType, type IndexMode } from '../api/index.js';

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
