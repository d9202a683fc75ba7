/** A sidecar kind's name checked (`--kind`): apart from api/words.ts, as it loads every kind's spec. */
export { sidecarKind } from '../sidecars/kinds.js';
