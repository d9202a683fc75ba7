import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairFromSeed, publicKeyFromRaw } from '@libp2p/crypto/keys';
import { peerIdFromPublicKey } from '@libp2p/peer-id';
import type { Ed25519PrivateKey } from '@libp2p/interface';
import { VssError } from '../../core/errors.js';
import { signText, type RowSigner } from '../library/row-signature.js';

/**
 * The device's Ed25519 key is its network identity (DESIGN §9): the libp2p key is made from the
 * same 32-byte seed, so the peer id names the device's public key and nothing else.
 */
export async function devicePeerKey(dataDir: string): Promise<Ed25519PrivateKey> {
  const path = join(dataDir, 'device.key');
  let der: Buffer;
  try {
    der = createPrivateKey(readFileSync(path, 'utf8')).export({ type: 'pkcs8', format: 'der' });
  } catch (err) {
    throw new VssError('DEVICE_INVALID', `cannot read the device key: ${(err as Error).message}`, { path, cause: err });
  }
  // PKCS#8 for Ed25519 ends with the 32-byte seed (RFC 8410).
  return generateKeyPairFromSeed('Ed25519', new Uint8Array(der.subarray(der.length - 32)));
}

/** The raw 32 bytes of an Ed25519 public key given as SPKI PEM (how devices store it). */
export function rawPublicKey(spkiPem: string): Uint8Array {
  const der = createPublicKey(spkiPem).export({ type: 'spki', format: 'der' });
  if (der.length !== 44) throw new VssError('DEVICE_INVALID', 'not an Ed25519 public key');
  return new Uint8Array(der.subarray(der.length - 32));
}

/** SPKI PEM of a raw Ed25519 public key: what a peer id carries, as devices store it. */
export function publicKeyPem(raw: Uint8Array): string {
  if (raw.length !== 32) throw new VssError('DEVICE_INVALID', 'an Ed25519 public key has 32 bytes');
  const prefix = Buffer.from('302a300506032b6570032100', 'hex');
  return createPublicKey({ key: Buffer.concat([prefix, raw]), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }).toString();
}

/**
 * The peer id string of a device's public key (SPKI PEM). Remembered per key: the trust store
 * checks every record's peer id each time it is loaded (at every drop a peer sends, every
 * transfer planned to a device), and a key's peer id never changes.
 */
export function peerIdOfPublicKey(spkiPem: string): string {
  let id = peerIds.get(spkiPem);
  if (id === undefined) {
    id = peerIdFromPublicKey(publicKeyFromRaw(rawPublicKey(spkiPem))).toString();
    if (peerIds.size >= MAX_PEER_IDS) peerIds.clear();
    peerIds.set(spkiPem, id);
  }
  return id;
}

const peerIds = new Map<string, string>();
/** As many as a trust store holds (MAX_PAIRED_DEVICES), with room. */
const MAX_PEER_IDS = 1024;

/** The signer of this device's rows (row-signature.ts), with the key of the data dir DATADIR: `device.key`, read when first asked. */
export function rowSignerOf(dataDir: string): RowSigner {
  let key: KeyObject | undefined;
  return {
    sign(text) {
      if (key === undefined) {
        const path = join(dataDir, 'device.key');
        try {
          key = createPrivateKey(readFileSync(path, 'utf8'));
        } catch (err) {
          throw new VssError('DEVICE_INVALID', `cannot read the device key: ${(err as Error).message}`, { path, cause: err });
        }
      }
      return signText(text, key);
    },
  };
}
