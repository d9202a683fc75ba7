import { createHmac, createPublicKey, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { peerIdFromString } from '@libp2p/peer-id';
import { VssError } from '../../core/errors.js';
import { publicKeyPem } from '../net/device-key.js';

/** Versioned label: a proof made for another protocol version can never verify in this one. */
const LABEL = Buffer.from('vss/pair/v1/transcript', 'utf8');
const ROLE = { initiator: 0x49, joiner: 0x4a } as const;
export type PairRole = keyof typeof ROLE;

/** Everything both proofs cover. Every part has a fixed length, so the concatenation is unambiguous. */
export interface Transcript {
  sessionId: Uint8Array; // 16
  /** Raw Ed25519 keys of the connection's two ends, as Noise authenticated them: the transport binding. */
  initiatorKey: Uint8Array; // 32
  joinerKey: Uint8Array; // 32
  nonceI: Uint8Array; // 32
  nonceJ: Uint8Array; // 32
  challenge: Uint8Array; // 32
}

export function transcriptBytes(role: PairRole, t: Transcript): Buffer {
  const parts = [t.sessionId, t.initiatorKey, t.joinerKey, t.nonceI, t.nonceJ, t.challenge];
  const lens = [16, 32, 32, 32, 32, 32];
  parts.forEach((p, i) => {
    if (p.length !== lens[i]) throw new VssError('PAIRING', `transcript part ${i} has ${p.length} bytes, not ${lens[i]}`);
  });
  return Buffer.concat([LABEL, Buffer.from([ROLE[role]]), ...parts]);
}

export function proofMac(authKey: Uint8Array, role: PairRole, t: Transcript): Uint8Array {
  return new Uint8Array(createHmac('sha256', authKey).update(transcriptBytes(role, t)).digest());
}

export function macMatches(authKey: Uint8Array, role: PairRole, t: Transcript, mac: Uint8Array): boolean {
  const want = proofMac(authKey, role, t);
  return mac.length === want.length && timingSafeEqual(want, mac);
}

/** The joiner's signature over its transcript (which holds the initiator's challenge), by its device key. */
export function signJoiner(privateKey: KeyObject, t: Transcript): Uint8Array {
  return new Uint8Array(sign(null, transcriptBytes('joiner', t), privateKey));
}

export function joinerSignatureValid(t: Transcript, sig: Uint8Array): boolean {
  const key = createPublicKey(publicKeyPem(t.joinerKey));
  return verify(null, transcriptBytes('joiner', t), key, sig);
}

/** The raw Ed25519 key a peer id names (vss peer ids always carry it). */
export function rawKeyOfPeerId(peerId: string): Uint8Array {
  let raw: Uint8Array | undefined;
  try {
    const id = peerIdFromString(peerId);
    raw = id.type === 'Ed25519' ? id.publicKey.raw : undefined;
  } catch (err) {
    throw new VssError('PEER', `not a peer id: ${peerId.slice(0, 80)}`, { cause: err });
  }
  if (!raw) throw new VssError('PEER', `peer ${peerId.slice(0, 80)} has no Ed25519 key`);
  return raw;
}
