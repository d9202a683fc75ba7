import { parse as parseUuid, v5 as uuidv5 } from 'uuid';

/**
 * The fixed namespace of every content_uuid (DESIGN §1). Changing it would change every
 * content's address on every device: never do.
 */
export const VSS_CONTENT_NAMESPACE = '6f1c1f8e-3d5a-5b7e-9a40-2b8f0c7e5d11';

/** cas_version 1: BLAKE3 of the whole file. 2: BLAKE3 (derive-key mode) of size + sampled ranges. */
export const CAS_WHOLE = 1;
export const CAS_SAMPLED = 2;

// Parsed once: given as a string, uuid would parse the namespace on every call.
const NAMESPACE_BYTES = parseUuid(VSS_CONTENT_NAMESPACE);

export function contentUuidFor(casId: string): string {
  return uuidv5(casId, NAMESPACE_BYTES);
}
