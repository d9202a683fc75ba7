import type { KeyObject } from 'node:crypto';

/** This device as pairing needs it: from `device.json` and `<dataDir>/device.key`. */
export interface LocalDeviceInfo {
  deviceUuid: string;
  name: string;
  /** Ed25519 public key, SPKI PEM: the key of this device's libp2p peer id. */
  publicKeyPem: string;
  /** The device key, which signs the joiner's proof. */
  privateKey: KeyObject;
}

/** The library the joiner joins: the initiator's id and name. */
export interface LibraryRef {
  id: string;
  name: string;
}

/** 5 minutes (DESIGN §9). */
export const PAIRING_TTL_MS = 5 * 60_000;
/** Three failed attempts burn a code. */
export const PAIRING_MAX_FAILURES = 3;
/** How long either side waits for the other's next message. */
export const PAIRING_STEP_TIMEOUT_MS = 15_000;
