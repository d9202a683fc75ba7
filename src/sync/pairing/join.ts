import { randomBytes } from 'node:crypto';
import type { Stream } from '@libp2p/interface';
import { VssError } from '../../core/errors.js';
import { peerDeviceName } from '../../device/identity.js';
import { MessageChannel } from '../net/message-channel.js';
import { peerIdOfPublicKey, publicKeyPem, rawPublicKey } from '../net/device-key.js';
import { admissionBody, signMemberBody, verifyMemberRecord, type AdmissionTerms, type MemberRecord, type MemberSide } from '../../tags/member-record.js';
import { parsePairingCode, type PairingCode } from './code.js';
import { PAIR_MAX_MESSAGE_BYTES, PAIR_VERSION, PairRefusal, receivePairMessage, pairError, pairMessage } from './messages.js';
import type { PairedDevice, PairedDevices } from './paired-devices.js';
import { macMatches, proofMac, rawKeyOfPeerId, signJoiner, type Transcript } from './proofs.js';
import { PAIRING_STEP_TIMEOUT_MS, type LibraryRef, type LocalDeviceInfo } from './types.js';

export interface PairingConnection {
  stream: Stream;
  /** The peer id the connection authenticated (Noise), not one the peer claims. */
  peerId: string;
  /** The address dialled, remembered as the initiator's address. */
  addr?: string;
}

export interface JoinPairingOptions {
  code: string[] | string;
  local: LocalDeviceInfo;
  /** Devices to try, in order: `--peer ADDR`, or mDNS discoveries (peer ids or multiaddrs). */
  candidates: AsyncIterable<string> | Iterable<string>;
  /** Open a `/vss/pair/1.0.0` stream to a candidate; `pairingDialer(node)` makes one from a PeerNode. */
  open(target: string, signal: AbortSignal): Promise<PairingConnection>;
  /** Where the initiator is recorded once it confirmed the pairing. */
  store?: PairedDevices;
  /** This device's library, brought to an initiator that has none (a relay box); without it such an initiator is refused. */
  library?: LibraryRef;
  signal?: AbortSignal;
  /** The whole search and exchange; default 60 s. */
  timeoutMs?: number;
  /** At most this many devices are tried; default 32. */
  maxCandidates?: number;
  stepTimeoutMs?: number;
  /** The removals from LIBRARYID of the device with KEY (PEM): this device admits a host with no library, undoing them (issue 46). */
  admissionTerms?(libraryId: string, key: string): AdmissionTerms;
}

export interface JoinPairingResult {
  device: PairedDevice;
  library: LibraryRef;
  /** The admission both devices signed (issue 46); absent when the host runs a vss without membership. */
  admission?: MemberRecord;
}

/** Candidate turned us away, but another device may hold the code. */
class NotHere extends Error {}

/** Nothing answered at the candidate (no key, no word): it says nothing of the code. */
class Unreached extends NotHere {}

/** What a device with no pairing code open does to a stranger: its key answers, then it hangs up. */
const HUNG_UP = 'its pairing code is no longer open (used, expired or cancelled)';

/**
 * PEERID answered with its key and closed the connection as the pairing stream opened: it lets
 * strangers in only while a code is open there, so the code this joiner holds is closed (or was
 * never this device's).
 */
export class HungUp extends NotHere {
  constructor(readonly peerId: string, cause?: unknown) {
    super(`the device hung up: ${HUNG_UP}`, { cause });
    this.name = 'HungUp';
  }
}

/**
 * The joiner's side: tries candidates until one holds this code's session, proves the code and
 * signs the challenge, checks the initiator's proof and identity, and records it. A device with
 * no code (or another code) open is skipped, not taken for a wrong code.
 */
export async function joinPairing(opts: JoinPairingOptions): Promise<JoinPairingResult> {
  const code = parsePairingCode(opts.code);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const maxCandidates = opts.maxCandidates ?? 32;
  const signal = opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
  const self = peerIdOfPublicKey(opts.local.publicKeyPem);
  const tried = new Set<string>();
  const turnedAway: string[] = [];
  /** The devices (peer ids) that hung up, when every device tried did: then that is the answer. */
  const hungUp = new Set<string>();
  let others = 0;
  const iterator = toAsyncIterator(opts.candidates);
  try {
    while (tried.size < maxCandidates) {
      const next = await nextOrAbort(iterator, signal);
      if (next === undefined) break;
      if (tried.has(next) || next === self || next.endsWith(`/p2p/${self}`)) continue;
      tried.add(next);
      try {
        // A hang-up is heard once more before it says the code is closed: this side's own connection
        // may have been cut under it (its network changed: every connection is closed then), and a
        // device whose code is closed hangs up again.
        return await attempt(next, code, opts, signal).catch((err: unknown) => {
          if (err instanceof HungUp && !signal.aborted) return attempt(next, code, opts, signal);
          throw err;
        });
      } catch (err) {
        if (!(err instanceof NotHere)) throw err;
        if (err instanceof HungUp) hungUp.add(err.peerId);
        else if (!(err instanceof Unreached)) others++;
        turnedAway.push(err instanceof HungUp ? `${short(next)}: ${err.message}` : err.message);
      }
    }
  } finally {
    void iterator.return?.();
  }
  if (tried.size === 0) {
    throw new VssError('PAIRING', signal.aborted && !opts.signal?.aborted
      ? `no device to pair with was found in ${Math.round(timeoutMs / 1000)} s (none discovered on the network: give its address with --peer)`
      : 'no device to pair with was found');
  }
  // One device hung up, and none said anything else (the addresses that did not answer say nothing): its code is closed.
  if (others === 0 && hungUp.size === 1) throw new VssError('PAIRING', `the device hung up: ${HUNG_UP}; ask for a new one (\`vss pair start\` there)`);
  if (others === 0 && hungUp.size > 1) throw new VssError('PAIRING', `each of the ${hungUp.size} devices tried hung up, as a device does when ${HUNG_UP}; ask for a new one`);
  throw new VssError('PAIRING', `no device accepted this pairing code (tried ${tried.size}): check the words, or start a new code; ${turnedAway.slice(0, 3).join('; ')}`);
}

async function attempt(target: string, code: PairingCode, opts: JoinPairingOptions, signal: AbortSignal): Promise<JoinPairingResult> {
  let conn: PairingConnection;
  try {
    conn = await opts.open(target, signal);
  } catch (err) {
    if (signal.aborted) throw new VssError('PAIRING', 'pairing timed out or was cancelled while connecting', { cause: err });
    if (err instanceof HungUp) throw err;
    // No key answered there, or not as a hang-up (those are HungUp): it says nothing of the code.
    const why = (err as Error)?.message || 'the connection was refused';
    throw new Unreached(`${short(target)}: could not talk to it (${why}); is \`vss pair start\` running there?`);
  }
  const ch = new MessageChannel(conn.stream, PAIR_MAX_MESSAGE_BYTES);
  const step = (): AbortSignal => AbortSignal.any([signal, AbortSignal.timeout(opts.stepTimeoutMs ?? PAIRING_STEP_TIMEOUT_MS)]);
  let proved = false;
  let answered = false;
  try {
    const nonceJ = new Uint8Array(randomBytes(32));
    await ch.send(pairMessage('hello', { v: PAIR_VERSION, session_id: code.sessionId, nonce_j: nonceJ }), step());
    const challenge = await receivePairMessage(ch, 'challenge', step());
    answered = true;
    const t: Transcript = {
      sessionId: code.sessionId,
      initiatorKey: rawKeyOfPeerId(conn.peerId),
      joinerKey: rawPublicKey(opts.local.publicKeyPem),
      nonceI: challenge.nonce_i,
      nonceJ,
      challenge: challenge.challenge,
    };
    if (!macMatches(code.authKey, 'initiator', t, challenge.mac_i)) {
      await ch.send(pairError('proof', 'your proof of the pairing code did not verify')).catch(() => undefined);
      throw new NotHere(`${short(target)}: answered for this code but does not know it`);
    }
    proved = true;
    await ch.send(pairMessage('proof', { mac_j: proofMac(code.authKey, 'joiner', t), sig: signJoiner(opts.local.privateKey, t) }), step());
    const host = await receivePairMessage(ch, 'host_device', step());
    if (peerIdOfPublicKey(host.public_key) !== conn.peerId) {
      await ch.send(pairError('identity', 'the announced public key is not the key of this connection')).catch(() => undefined);
      throw new VssError('PAIRING', `the device at ${short(target)} announced a public key that is not its connection's key: refused`);
    }
    if (host.device_uuid === opts.local.deviceUuid) throw new VssError('PAIRING', 'this is the device that showed the code: pair from another device');
    // An initiator with no library of its own (a relay box) joins this device's.
    const library = host.library ?? opts.library;
    if (!library) {
      await ch.send(pairError('protocol', 'neither device has a library to share')).catch(() => undefined);
      throw new VssError('PAIRING', 'the device showing the code has no library, and neither has this one: create one here first (`vss library create NAME`), then join again');
    }
    // The admission both sign (issue 46): the device whose library it is admits the other, on its
    // terms (when, and which removals of the admitted device it undoes).
    const hostSide: MemberSide = { uuid: host.device_uuid, name: host.name, key: host.public_key };
    const mySide: MemberSide = { uuid: opts.local.deviceUuid, name: opts.local.name, key: opts.local.publicKeyPem };
    const memberAt = host.library ? host.member_at : new Date().toISOString();
    const mine = host.library ? undefined : opts.admissionTerms?.(library.id, host.public_key);
    const over = host.library ? (host.member_over ?? []) : (mine?.over ?? []);
    const founder = host.library ? host.member_founder : mine?.founder;
    const body = memberAt === undefined ? undefined : host.library ? admissionBody(library.id, memberAt, hostSide, mySide, over, founder) : admissionBody(library.id, memberAt, mySide, hostSide, over, founder);
    const mySig = body === undefined ? undefined : signMemberBody(body, opts.local.privateKey);
    await ch.send(pairMessage('joiner_device', {
      device_uuid: opts.local.deviceUuid, name: opts.local.name, public_key: opts.local.publicKeyPem,
      ...(host.library ? {} : { library: { id: library.id, name: library.name } }),
      ...(mySig !== undefined && memberAt !== undefined ? { member_at: memberAt, member_sig: mySig, ...(host.library ? {} : { member_over: over, ...(founder !== undefined ? { member_founder: founder } : {}) }) } : {}),
    }), step());
    const done = await receivePairMessage(ch, 'done', step());
    let admission: MemberRecord | undefined;
    if (done.member_sig !== undefined && body !== undefined && mySig !== undefined) {
      const record: MemberRecord = host.library ? { body, sig_by: done.member_sig, sig_member: mySig } : { body, sig_by: mySig, sig_member: done.member_sig };
      // A host signature that does not verify: paired all the same (the pairing proved the key), but no record that would not check anywhere.
      if (!('refused' in verifyMemberRecord(record))) admission = record;
    }
    const at = new Date().toISOString();
    const record: PairedDevice = {
      device_uuid: host.device_uuid,
      name: peerDeviceName(host.name) ?? host.device_uuid.slice(0, 8),
      public_key: publicKeyPem(t.initiatorKey),
      peer_id: conn.peerId,
      paired_at: at,
      library_ids: [library.id],
      addrs: conn.addr && conn.addr.startsWith('/') ? [conn.addr] : [],
      last_seen: at,
    };
    const device = opts.store ? opts.store.add(record) : record;
    return { device, library: { id: library.id, name: library.name }, ...(admission ? { admission } : {}) };
  } catch (err) {
    if (err instanceof NotHere) throw err;
    if (err instanceof PairRefusal) {
      // No code open there, or another code: that device is not the one showing ours.
      if (!proved && (err.reason === 'no_code' || err.reason === 'no_session')) throw new NotHere(`${short(target)}: ${err.message}`);
      throw new VssError('PAIRING', `pairing refused: ${err.message}`, { cause: err });
    }
    // Closed before a word came back: hung up as the stream opened (the connection closing under it).
    if (!answered && !signal.aborted && closedUnanswered(err)) throw new HungUp(conn.peerId, err);
    if (!proved && !signal.aborted) throw new NotHere(`${short(target)}: ${(err as Error).message}`);
    throw err instanceof VssError ? err : new VssError('PAIRING', `pairing failed: ${(err as Error).message}`, { cause: err });
  } finally {
    await ch.close();
  }
}

function toAsyncIterator(c: AsyncIterable<string> | Iterable<string>): AsyncIterator<string> {
  if (Symbol.asyncIterator in c) return (c as AsyncIterable<string>)[Symbol.asyncIterator]();
  const it = (c as Iterable<string>)[Symbol.iterator]();
  return { next: async () => it.next() };
}

/** The next candidate, or undefined when there are no more or time is up (a discovery stream never ends by itself). */
async function nextOrAbort(it: AsyncIterator<string>, signal: AbortSignal): Promise<string | undefined> {
  if (signal.aborted) return undefined;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const r = await Promise.race([it.next(), aborted]);
    return r === undefined || r.done ? undefined : r.value;
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}

/** Whether ERR is the stream ending (EOF, closed, reset) rather than a message or a timeout. */
function closedUnanswered(err: unknown): boolean {
  for (let e: unknown = err, i = 0; e && i < 4; e = (e as { cause?: unknown }).cause, i++) {
    const name = (e as { name?: unknown }).name;
    if (name === 'UnexpectedEOFError' || name === 'StreamResetError' || name === 'ConnectionClosedError') return true;
    if (e instanceof Error && /^(peer sent no valid message: )?stream closed$/.test(e.message)) return true;
  }
  return false;
}

function short(target: string): string {
  return target.length > 90 ? `${target.slice(0, 87)}…` : target;
}
