/** A sidecar kind's name and a sidecar's status checked (`--kind`, `--status`): apart from api/words.ts, as they load every kind's spec and the sidecars' store. */
export { sidecarKind } from '../sidecars/kinds.js';
export { SIDECAR_STATUSES } from '../store/sidecars.js';
