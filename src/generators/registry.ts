import type { SidecarKind } from '../sidecars/kinds.js';
import type { Generator } from './types.js';

/** Every generator vss has, one per sidecar kind it makes. A new generator is one line here. */
export const GENERATORS: readonly Generator[] = [];

export function generatorFor(kind: SidecarKind | string): Generator | undefined {
  return GENERATORS.find((g) => g.kind === kind);
}
