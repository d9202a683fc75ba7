import { entropyToMnemonic, mnemonicToEntropy } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { UsageError } from '../core/errors.js';

/*
 * A bucket key's recovery phrase (issue 60), apart from the key's id and keys (bucket-keys.ts),
 * which shared data reads at every start: BIP-39 and its hashes load when a phrase is shown or read.
 */

/** The recovery phrase: 24 BIP-39 words, the key's 256 bits and an 8-bit checksum (a word mistyped is caught). */
export const PHRASE_WORDS = 24;

/** SECRET as its recovery phrase. */
export function phraseOf(secret: Uint8Array): string {
  return entropyToMnemonic(secret, wordlist);
}

/** The secret of PHRASE (24 words, any spacing and case), refused with a clear reason when it is not one. */
export function secretOfPhrase(phrase: string): Buffer {
  const words = phrase.trim().toLowerCase().split(/\s+/).filter((w) => w !== '');
  if (words.length !== PHRASE_WORDS) throw new UsageError(`a recovery phrase is ${PHRASE_WORDS} words, not ${words.length}`);
  const unknown = words.find((w) => !wordlist.includes(w));
  if (unknown !== undefined) throw new UsageError(`${JSON.stringify(unknown.slice(0, 20))} is not a word of the recovery phrase's list`);
  try {
    return Buffer.from(mnemonicToEntropy(words.join(' '), wordlist));
  } catch {
    throw new UsageError('the recovery phrase does not check (a word is wrong or out of order)');
  }
}
