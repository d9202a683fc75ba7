/**
 * What a browser paired away from home keeps (issue 46 item 4), in IndexedDB of the relay box's
 * origin, read by the page and by its service worker: its key — a NON-extractable WebCrypto
 * Ed25519 key, so scripts can sign with it but never read it out — and its home device's peer id.
 */
const DB = 'vss-away';
const STORE = 'keep';

export interface AwayKey {
  privateKey: CryptoKey;
  /** The public key's 32 raw bytes. */
  publicRaw: Uint8Array;
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB would not open'));
  });
}

async function tx<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const r = fn(t.objectStore(STORE));
      t.oncomplete = () => resolve(r.result);
      t.onerror = () => reject(t.error ?? new Error('an IndexedDB transaction failed'));
    });
  } finally {
    db.close();
  }
}

/** This browser's key, made the first time (the same peer id after every reload, until the site's data is cleared). */
export async function awayKey(): Promise<AwayKey> {
  const kept = await tx<AwayKey | undefined>('readonly', (s) => s.get('key') as IDBRequest<AwayKey | undefined>);
  if (kept) return kept;
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  const made: AwayKey = { privateKey: pair.privateKey, publicRaw: new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)) };
  await tx('readwrite', (s) => s.put(made, 'key'));
  return made;
}

/** The home device this browser asks (its peer id), once a pairing address named it. */
export function awayHome(): Promise<string | undefined> {
  return tx<string | undefined>('readonly', (s) => s.get('home') as IDBRequest<string | undefined>);
}

export async function setAwayHome(peerId: string): Promise<void> {
  await tx('readwrite', (s) => s.put(peerId, 'home'));
}
