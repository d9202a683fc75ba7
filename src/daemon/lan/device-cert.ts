import { createRequire } from 'node:module';
import { createPrivateKey, randomBytes, webcrypto, X509Certificate } from 'node:crypto';

type CryptoKeyPair = webcrypto.CryptoKeyPair;
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { createSecureContext } from 'node:tls';
import { join } from 'node:path';
import { VssError } from '../../core/errors.js';
import { writeFileAtomicSync } from '../../core/fs-atomic.js';

/** A certificate the LAN server shows, with its key, and its SHA-256 fingerprint as a user compares it (`AB:CD:…`). */
export interface LanCert {
  cert: string;
  key: string;
  fingerprint: string;
  /** Whether vss made it (else the user's own, `--tls-cert/--tls-key`). */
  made: boolean;
}

/** Where vss keeps the certificate it makes for this device (owner-only). */
export const CERT_DIR = 'lan-tls';
/** How long a made certificate is good for; it is made again a month before it ends, or when the device's addresses change. */
const VALID_DAYS = 397;
const RENEW_BEFORE_MS = 30 * 86_400_000;
const MAX_PEM_BYTES = 256 * 1024;
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** The user's own certificate and key, read and checked to belong together; refused with the reason. */
export function userCert(certPath: string, keyPath: string): LanCert {
  const cert = readPem(certPath, 'certificate');
  const key = readPem(keyPath, 'key');
  let x: X509Certificate;
  try {
    x = new X509Certificate(cert);
  } catch (err) {
    throw new VssError('USAGE', `${certPath} is not a PEM certificate: ${(err as Error).message}`, { path: certPath });
  }
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new VssError('USAGE', `${keyPath} is not the key of ${certPath}: ${(err as Error).message}`, { path: keyPath });
  }
  return { cert, key, fingerprint: x.fingerprint256, made: false };
}

/**
 * Which of NAMES (addresses and host names the home network reaches this device by) the
 * certificate CERT (PEM) is good for, and what it names itself (its subjectAltName, or subject).
 */
export function certCovers(cert: string, names: readonly string[]): { covered: string[]; names: string } {
  const x = new X509Certificate(cert);
  const covered = names.filter((n) => (isIP(n) !== 0 ? x.checkIP(n) : x.checkHost(n)) !== undefined);
  return { covered, names: x.subjectAltName ?? x.subject.replace(/\n/g, ', ') };
}

/**
 * The certificate vss made for this device in DATA_DIR, made (or made again, with the same key)
 * when there is none, when it does not name every one of NAMES (addresses and host names the
 * LAN server answers on), or when it is about to end. Self-signed: a browser asks the user once
 * to trust it, who compares its fingerprint with the one `vss ui pair` shows.
 */
export async function deviceCert(dataDir: string, names: readonly string[], now = Date.now()): Promise<LanCert> {
  const dir = join(dataDir, CERT_DIR);
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  if (existsSync(certPath) && existsSync(keyPath)) {
    const have = { cert: readPem(certPath, 'certificate'), key: readPem(keyPath, 'key') };
    const x = new X509Certificate(have.cert);
    const covered = names.every((n) => (isIP(n) !== 0 ? x.checkIP(n) : x.checkHost(n)) !== undefined);
    if (covered && Date.parse(x.validTo) - now > RENEW_BEFORE_MS) return { ...have, fingerprint: x.fingerprint256, made: true };
    return made(dir, certPath, keyPath, names, now, have.key);
  }
  return made(dir, certPath, keyPath, names, now);
}

async function made(dir: string, certPath: string, keyPath: string, names: readonly string[], now: number, keyPem?: string): Promise<LanCert> {
  // Loaded only here: the generator brings its ASN.1 schemas and a Reflect polyfill. Required, not
  // imported: the CLI's bundle runs from V8's code cache, which loses a dynamic import on Node 20.
  const x509 = createRequire(import.meta.url)('@peculiar/x509') as typeof import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const keys = keyPem ? await keyPairOf(keyPem) : await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(16).toString('hex').replace(/^[89a-f]/, '1'),
    name: 'CN=vss device, O=vss',
    notBefore: new Date(now - 86_400_000),
    notAfter: new Date(now + VALID_DAYS * 86_400_000),
    keys: keys as CryptoKeyPair,
    signingAlgorithm: ALG,
    extensions: [
      new x509.SubjectAlternativeNameExtension(names.map((n) => (isIP(n) !== 0 ? { type: 'ip' as const, value: n } : { type: 'dns' as const, value: n }))),
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    ],
  });
  const certPem = cert.toString('pem');
  const key = keyPem ?? (createPrivateKey({ key: Buffer.from(await webcrypto.subtle.exportKey('pkcs8', (keys as CryptoKeyPair).privateKey)), format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }) as string);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // The key first: a kill between the two leaves a key with an old certificate (made again), never a certificate without its key.
  if (!keyPem) writeFileAtomicSync(keyPath, key, 0o600);
  writeFileAtomicSync(certPath, certPem, 0o600);
  return { cert: certPem, key, fingerprint: new X509Certificate(certPem).fingerprint256, made: true };
}

/** The key pair of a kept PKCS#8 key (its public half derived from it). */
async function keyPairOf(pem: string): Promise<CryptoKeyPair> {
  const priv = createPrivateKey(pem);
  const jwk = priv.export({ format: 'jwk' });
  const privateKey = await webcrypto.subtle.importKey('jwk', jwk, ALG, true, ['sign']);
  const { d: _d, ...pub } = jwk;
  const publicKey = await webcrypto.subtle.importKey('jwk', { ...pub, key_ops: ['verify'] }, ALG, true, ['verify']);
  return { privateKey, publicKey } as CryptoKeyPair;
}

function readPem(path: string, what: string): string {
  let text: string;
  try {
    const buf = readFileSync(path);
    if (buf.length > MAX_PEM_BYTES) throw new VssError('USAGE', `${path} is too large for a ${what} (${buf.length} bytes)`, { path });
    text = buf.toString('utf8');
  } catch (err) {
    if (err instanceof VssError) throw err;
    throw new VssError('NOT_FOUND', `cannot read the ${what} ${path}: ${(err as Error).message}`, { path, cause: err });
  }
  return text;
}
