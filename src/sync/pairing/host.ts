import { randomBytes } from 'node:crypto';
import type { Stream } from '@libp2p/interface';
import { VssError } from '../../core/errors.js';
import { peerDeviceName } from '../../device/identity.js';
import { MessageChannel } from '../net/message-channel.js';
import { peerIdOfPublicKey, publicKeyPem, rawPublicKey } from '../net/device-key.js';
import { newPairingCode, type PairingCode } from './code.js';
import { admissionBody, signMemberBody, verifyMemberRecord, type AdmissionTerms, type MemberRecord, type MemberSide } from '../../tags/member-record.js';
import { PAIR_MAX_MESSAGE_BYTES, PairProtocolError, PairRefusal, receivePairMessage, pairError, pairMessage, type PairErrorCode, type PairMessage } from './messages.js';
import type { PairedDevice, PairedDevices } from './paired-devices.js';
import { joinerSignatureValid, macMatches, proofMac, rawKeyOfPeerId, type Transcript } from './proofs.js';
import { RefusalLimit, type RefusalLimitOptions } from './refusal-limit.js';
import { PAIRING_MAX_FAILURES, PAIRING_STEP_TIMEOUT_MS, PAIRING_TTL_MS, type LibraryRef, type LocalDeviceInfo } from './types.js';

/** An admission the joiner dates (it brings its library) is taken only this close to this device's clock. */
const ADMISSION_CLOCK_SKEW_MS = 10 * 60_000;

type CodeState = 'open' | 'claimed' | 'used' | 'expired' | 'burned' | 'cancelled';

interface Session {
  code: PairingCode;
  sessionHex: string;
  local: LocalDeviceInfo;
  /** The library offered; undefined: this device has none and takes the joiner's. */
  library: LibraryRef | undefined;
  expiresAtMs: number;
  state: CodeState;
  failures: number;
  timer?: NodeJS.Timeout;
  resolve(paired: HostPaired): void;
  reject(err: Error): void;
}

/** The joiner, recorded, and the library the two devices now share (the joiner's, when this device offered none). */
export interface HostPaired {
  device: PairedDevice;
  library: LibraryRef;
  /** The admission both devices signed (issue 46); absent when the joiner runs a vss without membership. */
  admission?: MemberRecord;
}

export interface OpenPairingCode {
  words: string[];
  expiresAt: string;
  /** The paired joiner; rejects when the code expires, burns or is cancelled. */
  done: Promise<HostPaired>;
}

export interface PairingHostOptions {
  /** Where the joiner is recorded, before the joiner is told it is done. */
  store?: PairedDevices;
  /** Clock, for tests. */
  now?: () => number;
  stepTimeoutMs?: number;
  /** How many refused attempts a peer gets before it is turned away unheard (see RefusalLimit). */
  refusals?: RefusalLimitOptions;
  /** The removals from LIBRARYID of the device with KEY (PEM), which an admission bringing it back names (issue 46). */
  admissionTerms?(libraryId: string, key: string): AdmissionTerms;
}

export interface PairingStatus {
  state: CodeState;
  failures: number;
  expiresAt: string;
}

const FATES: Record<Exclude<CodeState, 'open' | 'claimed'>, string> = {
  used: 'the pairing code was already used',
  expired: 'the pairing code expired',
  burned: `the pairing code was burned after ${PAIRING_MAX_FAILURES} failed attempts`,
  cancelled: 'the pairing code was cancelled',
};
/** Closed codes remembered, so a late joiner hears what happened to its code rather than "no code". */
const REMEMBERED_CODES = 8;

/**
 * The initiator's side: holds at most one open code and answers `/vss/pair/1.0.0` streams.
 * Device information is exchanged only after both proofs verified. Only a failed proof of the
 * open code's own session counts against it, and the third burns it: a hello naming another
 * session (the session id is derived from the code's 128 bits, so a wrong one is no guess at this
 * code), a malformed message or a silent peer is refused without counting, so a stranger who can
 * reach the device cannot burn a code it does not know. Refusals are limited per peer.
 */
export class PairingHost {
  private current: Session | undefined;
  private readonly closed = new Map<string, CodeState>();
  private readonly now: () => number;
  private readonly stepTimeoutMs: number;
  private readonly refused: RefusalLimit;

  constructor(private readonly opts: PairingHostOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.stepTimeoutMs = opts.stepTimeoutMs ?? PAIRING_STEP_TIMEOUT_MS;
    this.refused = new RefusalLimit({ now: this.now, ...opts.refusals });
  }

  open(local: LocalDeviceInfo, library: LibraryRef | undefined, opts: { ttlMs?: number } = {}): OpenPairingCode {
    if (this.isOpen()) throw new VssError('PAIRING', 'a pairing code is already open on this device: press Ctrl-C where `vss pair start` runs, or wait until it expires');
    const ttlMs = opts.ttlMs ?? PAIRING_TTL_MS;
    const code = newPairingCode();
    let resolve!: (d: HostPaired) => void;
    let reject!: (e: Error) => void;
    const done = new Promise<HostPaired>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    done.catch(() => undefined); // the caller may never wait for it
    const session: Session = {
      code,
      sessionHex: Buffer.from(code.sessionId).toString('hex'),
      local,
      library,
      expiresAtMs: this.now() + ttlMs,
      state: 'open',
      failures: 0,
      resolve,
      reject,
    };
    // A timer may fire a little before the wall clock reaches the end (or while the code is claimed):
    // look again then, so an unused code always expires and `pair start` always ends.
    const expire = () => {
      if (this.live() === session) session.timer = setTimeout(expire, Math.max(10, session.expiresAtMs - this.now())).unref();
    };
    session.timer = setTimeout(expire, ttlMs).unref();
    this.current = session;
    return { words: code.words, expiresAt: new Date(session.expiresAtMs).toISOString(), done };
  }

  /** Whether a code is open: the gater should admit unknown peers (to the pairing protocol) only then. */
  isOpen(): boolean {
    const s = this.live();
    return s !== undefined;
  }

  status(): PairingStatus | null {
    const s = this.current;
    if (!s) return null;
    this.live();
    return { state: s.state, failures: s.failures, expiresAt: new Date(s.expiresAtMs).toISOString() };
  }

  cancel(): void {
    const s = this.live();
    if (s) this.finish(s, 'cancelled');
  }

  /** Serve one pairing stream from `remotePeerId` (the connection's Noise-authenticated peer id). */
  async handleStream(stream: Stream, remotePeerId: string): Promise<void> {
    const ch = new MessageChannel(stream, PAIR_MAX_MESSAGE_BYTES);
    let session: Session | undefined;
    let claimed = false;
    if (!this.refused.allows(remotePeerId)) {
      // Not read at all: a peer refused this often in the window is answered at once.
      await ch.send(pairError('protocol', 'too many refused pairing attempts from this device: wait a minute')).catch(() => undefined);
      await ch.close();
      return;
    }
    try {
      // No session until the hello names the open code's: what comes before is no attempt at it.
      const hello = await receivePairMessage(ch, 'hello', this.step());
      session = this.sessionFor(hello.session_id);
      const t: Transcript = {
        sessionId: session.code.sessionId,
        initiatorKey: rawPublicKey(session.local.publicKeyPem),
        joinerKey: rawKeyOfPeerId(remotePeerId),
        nonceI: new Uint8Array(randomBytes(32)),
        nonceJ: hello.nonce_j,
        challenge: new Uint8Array(randomBytes(32)),
      };
      await ch.send(pairMessage('challenge', { nonce_i: t.nonceI, challenge: t.challenge, mac_i: proofMac(session.code.authKey, 'initiator', t) }));
      const proof = await receivePairMessage(ch, 'proof', this.step());
      if (!macMatches(session.code.authKey, 'joiner', t, proof.mac_j)) throw new PairRefusal('proof', 'the proof of the pairing code did not verify');
      if (!joinerSignatureValid(t, proof.sig)) throw new PairRefusal('proof', "the joiner's device signature did not verify");
      if (this.live() !== session || session.state !== 'open') throw new PairRefusal(session.state === 'claimed' ? 'used' : fateCode(session.state), FATES[fateKey(session.state)]);
      session.state = 'claimed';
      claimed = true;
      // Offering its library, this device admits the joiner: it says when, and which removals of it the admission undoes.
      const terms = session.library
        ? termsOf(new Date(this.now()).toISOString(), this.opts.admissionTerms?.(session.library.id, publicKeyPem(t.joinerKey)))
        : undefined;
      await ch.send(pairMessage('host_device', {
        device_uuid: session.local.deviceUuid,
        name: session.local.name,
        public_key: session.local.publicKeyPem,
        ...(session.library ? { library: { id: session.library.id, name: session.library.name } } : {}),
        ...terms,
      }));
      const info = await receivePairMessage(ch, 'joiner_device', this.step());
      if (peerIdOfPublicKey(info.public_key) !== remotePeerId) throw new PairRefusal('identity', 'the announced public key is not the key of this connection');
      if (info.device_uuid === session.local.deviceUuid) throw new PairRefusal('identity', 'a device cannot pair with itself');
      const library = session.library ?? info.library;
      if (!library) throw new PairRefusal('protocol', 'neither device has a library to share: create one on the joining device first (`vss library create NAME`)');
      const at = new Date(this.now()).toISOString();
      const record: PairedDevice = {
        device_uuid: info.device_uuid,
        name: peerDeviceName(info.name) ?? info.device_uuid.slice(0, 8),
        public_key: publicKeyPem(t.joinerKey),
        peer_id: remotePeerId,
        paired_at: at,
        library_ids: [library.id],
        addrs: [],
        last_seen: at,
      };
      const admission = countersign(session, info, library.id, terms, this.now());
      const stored = this.opts.store ? this.opts.store.add(record) : record;
      // Recorded: the code is used whatever happens to the last message (pairing again mends a joiner that missed it).
      this.finish(session, 'used', { device: stored, library: { id: library.id, name: library.name }, ...(admission ? { admission: admission.record } : {}) });
      await ch.send(pairMessage('done', admission ? { member_sig: admission.mine } : {})).catch(() => undefined);
    } catch (err) {
      const refusal = asRefusal(err);
      if (session && claimed && session.state === 'claimed') session.state = 'open';
      if (session && this.live() === session && countsAsFailure(refusal.reason)) this.fail(session);
      this.refused.note(remotePeerId);
      await ch.send(pairError(refusal.reason, refusal.message)).catch(() => undefined);
    } finally {
      await ch.close();
    }
  }

  /** The open code, if it is still open (an expired one is closed here, not only by its timer). */
  private live(): Session | undefined {
    const s = this.current;
    if (!s || (s.state !== 'open' && s.state !== 'claimed')) return undefined;
    // A claimed code is in its last exchange (bounded by the step timeout): let it finish.
    if (s.state === 'open' && this.now() >= s.expiresAtMs) {
      this.finish(s, 'expired');
      return undefined;
    }
    return s;
  }

  private sessionFor(sessionId: Uint8Array): Session {
    const hex = Buffer.from(sessionId).toString('hex');
    const s = this.live();
    if (s && s.sessionHex === hex) return s;
    const fate = this.closed.get(hex) ?? (this.current?.sessionHex === hex ? this.current.state : undefined);
    if (fate && fate !== 'open' && fate !== 'claimed') throw new PairRefusal(fateCode(fate), FATES[fate]);
    if (!s) throw new PairRefusal('no_code', 'the device you are joining has no pairing code open');
    throw new PairRefusal('no_session', 'the code open on the device you are joining is another one');
  }

  private fail(s: Session): void {
    s.failures += 1;
    if (s.failures >= PAIRING_MAX_FAILURES) this.finish(s, 'burned');
  }

  private finish(s: Session, state: 'used' | 'expired' | 'burned' | 'cancelled', device?: HostPaired): void {
    if (s.state !== 'open' && s.state !== 'claimed') return;
    s.state = state;
    clearTimeout(s.timer);
    this.closed.set(s.sessionHex, state);
    while (this.closed.size > REMEMBERED_CODES) this.closed.delete(this.closed.keys().next().value as string);
    if (state === 'used' && device) s.resolve(device);
    else s.reject(new VssError('PAIRING', FATES[state]));
  }

  private step(): AbortSignal {
    return AbortSignal.timeout(this.stepTimeoutMs);
  }
}

/**
 * The admission the joiner signed (issue 46), signed here too: the device whose library it is
 * admits the other. Undefined when the joiner sent none (an older vss); refused when its signature
 * is not the joiner's over the body both sides make from what they told each other.
 */
function countersign(
  session: Session, info: PairMessage<'joiner_device'>, libraryId: string, terms: { member_at: string; member_over: string[]; member_founder?: string } | undefined, now: number,
): { record: MemberRecord; mine: string } | undefined {
  if (info.member_sig === undefined) return undefined;
  const host: MemberSide = { uuid: session.local.deviceUuid, name: session.local.name, key: session.local.publicKeyPem };
  const joiner: MemberSide = { uuid: info.device_uuid, name: info.name, key: info.public_key };
  // The admitting device's terms: this one's when it offered its library, else the joiner's (its library), within reason of this clock.
  const at = terms?.member_at ?? info.member_at;
  if (at === undefined) return undefined;
  if (!terms && Math.abs(Date.parse(at) - now) > ADMISSION_CLOCK_SKEW_MS) throw new PairRefusal('protocol', "the joiner's clock is more than 10 minutes from this device's: set the clocks right and pair again");
  const body = terms
    ? admissionBody(libraryId, at, host, joiner, terms.member_over, terms.member_founder)
    : admissionBody(libraryId, at, joiner, host, info.member_over ?? [], info.member_founder);
  const hostAdmits = terms !== undefined;
  const mine = signMemberBody(body, session.local.privateKey);
  const record: MemberRecord = hostAdmits ? { body, sig_by: mine, sig_member: info.member_sig } : { body, sig_by: info.member_sig, sig_member: mine };
  if ('refused' in verifyMemberRecord(record)) throw new PairRefusal('proof', "the joiner's signature of its admission did not verify");
  return { record, mine };
}

/** The terms of an admission made here, as the host message carries them. */
function termsOf(at: string, t: AdmissionTerms | undefined): { member_at: string; member_over: string[]; member_founder?: string } {
  return { member_at: at, member_over: t?.over ?? [], ...(t?.founder !== undefined ? { member_founder: t.founder } : {}) };
}

function fateKey(state: CodeState): keyof typeof FATES {
  return state === 'open' || state === 'claimed' ? 'used' : state;
}

function fateCode(state: CodeState): PairErrorCode {
  return fateKey(state);
}

/**
 * Only a proof of the open code's session that did not verify (the joiner's MAC or signature
 * here, or the host's MAC there) is a guess at the code. A hello naming another session, junk, a
 * silent peer, a key announced wrong after the proofs: refused, never counted.
 */
function countsAsFailure(reason: PairErrorCode): boolean {
  return reason === 'proof';
}

function asRefusal(err: unknown): PairRefusal {
  if (err instanceof PairRefusal) return err;
  if (err instanceof PairProtocolError) return new PairRefusal('protocol', err.message);
  if (err instanceof VssError) return new PairRefusal('protocol', err.message);
  return new PairRefusal('protocol', `pairing failed: ${(err as Error)?.message ?? String(err)}`);
}
