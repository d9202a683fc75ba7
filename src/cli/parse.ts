import { UsageError } from '../core/errors.js';
import { isContentKind, CONTENT_KINDS, type ContentKind } from '../content/kinds.js';
import { INDEX_MODES, isIndexMode, type IndexMode } from '../indexer/types.js';

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

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
