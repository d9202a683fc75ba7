import { hkdfSync, randomBytes } from 'node:crypto';
import { entropyToMnemonic, mnemonicToEntropy } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { VssError } from '../../core/errors.js';

/** 12 words of BIP39 carry 128 bits of entropy and a 4-bit checksum. */
export const PAIRING_WORDS = 12;
const ENTROPY_BYTES = 16;
/** Versioned: a new derivation is a new salt, so codes of two versions never share keys. */
const HKDF_SALT = Buffer.from('vss/pair/v1/salt', 'utf8');
const SESSION_INFO = Buffer.from('vss/pair/v1/session-id', 'utf8');
const AUTH_INFO = Buffer.from('vss/pair/v1/auth-key', 'utf8');

/** What both sides derive from the code: a public session id (to find each other) and a secret key (to prove the code). */
export interface PairingKeys {
  /** 16 bytes, sent in the clear in the first message: names the session, proves nothing. */
  sessionId: Uint8Array;
  /** 32 bytes, never sent: the HMAC key of both proofs. */
  authKey: Uint8Array;
}

export interface PairingCode extends PairingKeys {
  words: string[];
  entropy: Uint8Array;
}

export function newPairingCode(): PairingCode {
  const entropy = new Uint8Array(randomBytes(ENTROPY_BYTES));
  return { words: entropyToMnemonic(entropy, wordlist).split(' '), entropy, ...pairingKeys(entropy) };
}

export function pairingKeys(entropy: Uint8Array): PairingKeys {
  const derive = (info: Buffer, len: number): Uint8Array => new Uint8Array(hkdfSync('sha256', entropy, HKDF_SALT, info, len));
  return { sessionId: derive(SESSION_INFO, 16), authKey: derive(AUTH_INFO, 32) };
}

/**
 * The code as a person typed it (words or one string; case and extra spaces do not matter) →
 * its entropy and keys. Says which word is wrong rather than "invalid mnemonic".
 */
export function parsePairingCode(input: string[] | string): PairingCode {
  const words = (Array.isArray(input) ? input.join(' ') : input).toLowerCase().split(/[\s,]+/).filter((w) => w !== '');
  if (words.length !== PAIRING_WORDS) {
    throw new VssError('USAGE', `a pairing code has ${PAIRING_WORDS} words; got ${words.length}`);
  }
  const unknown = words.map((w, i) => ({ w, i })).filter(({ w }) => !wordlist.includes(w));
  if (unknown.length > 0) {
    const list = unknown.map(({ w, i }) => `"${w}" (word ${i + 1})`).join(', ');
    throw new VssError('USAGE', `not a word of the pairing word list: ${list}`);
  }
  let entropy: Uint8Array;
  try {
    entropy = mnemonicToEntropy(words.join(' '), wordlist);
  } catch {
    throw new VssError('USAGE', 'the pairing code does not add up (checksum): a word is wrong or two are swapped');
  }
  return { words, entropy, ...pairingKeys(entropy) };
}
