import { NAME_MAX_CHARS } from '../../files/landing-names.js';
import { MAX_LOCK_COPIES } from '../../guardian/guard.js';
import { f, type Fields } from './fields.js';
import { MEMBER_REFS_MAX } from '../../tags/member-record.js';

/*
 * Every message vss sends between devices, defined once (DESIGN §18): the protocols with their
 * version and bounds, then one row per message with its fields. Everything else — the typed
 * send and receive (channel.ts), the checks on decode, the node's registration — is derived
 * from these two tables. A new message is one row here; a new protocol one row of PROTOCOLS.
 *
 * Codec: each message is one MessagePack map in a length-prefixed frame (net/message-channel.ts),
 * bounded by its protocol's `maxMessageBytes` before it is read and by the decoder's limits while
 * it is decoded; then by its row's `maxBytes` and fields. An availability digest travels inside
 * a `chunk` or `has` message in its own compact binary layout (availability/codec.ts).
 *
 * Versions, and what a newer peer may do (Syncthing's rule: be liberal in what is read):
 *  - Within a protocol id, a newer peer may add fields (an older one leaves them out of what it
 *    reads) and message kinds (an older one skips an unknown kind where it waits for an answer,
 *    and answers a request of an unknown kind with an `error`, so the newer peer knows it is not
 *    served). `since` says which version of the protocol brought a message.
 *  - A newer peer's unknown values inside a message are skipped where they are items of a list
 *    (a digest's entries of an unknown sidecar kind, a "who has" address this device cannot name,
 *    a fetch item it cannot serve), never the whole message.
 *  - A change an older peer could not read safely is a new protocol id (a new row of PROTOCOLS,
 *    e.g. /vss/availability/2.0.0), which libp2p negotiates; both may be served side by side.
 *  - A change a peer must know the other speaks before it says anything (what it may leave out of
 *    its first message) is a new id of the same row, its older ids kept in `earlier`: a stream is
 *    opened with the newest id first and served under each, and the id it was negotiated under
 *    says which version both speak on it (PeerChannel.version). Messages and fields stay one set.
 */

/** Most addresses one "who has?" question may ask. */
export const WHO_HAS_MAX = 1024;
/** Items in one fetch request: its message stays far below the protocol's bound (about 150 bytes an item). */
export const MAX_BATCH_ITEMS = 1000;
/** A reason in an `error` or refused item, as a sender cuts it (a reader takes longer ones and cuts them). */
export const REASON_CHARS = 500;
/** Rows (entries, and content facts) in one page of a library pull, at most; and folders (or parts of one). */
export const LIBRARY_PAGE_ROWS = 4096;
/** Operations on shared data in one page of a pull, at most (each a JSON text of at most SHARED_OP_CHARS). */
export const SHARED_PAGE_OPS = 4096;
export const SHARED_OP_CHARS = 16 * 1024;
/** Locations one device may announce in a library. */
export const LIBRARY_MAX_LOCATIONS = 1024;
/** Other members whose rows a device says it holds and passes on, at most (a library of more devices is far past what vss is built for). */
export const LIBRARY_HELD_OWNERS = 256;
/** A content's media metadata as sent (JSON); larger is left out by its owner. */
export const MEDIA_METADATA_CHARS = 8 * 1024;
/** A path relative to its location, and one name in it, as a peer may send them (the domain checks them). */
const REL_PATH = 4096;
const ENTRY_NAME = 1024;
/** Sidecar kind, variant and format names as a peer may send them (the domain checks them). */
const NAME = 255;
/** Reconnecting: members' records in one push, at most (those seen most recently), and a record's size (a few addresses take ~300 bytes). */
export const MEMBER_RECORDS_MAX = 64;
export const PEER_RECORD_BYTES = 4 * 1024;
/** An Ed25519 signature in base64 (88 characters), with room. */
export const MEMBER_SIG_CHARS = 128;
/** Files in one offer, at most, and a file's name as a peer may send it (the receiver checks it: a base name, no separator). */
export const DROP_MAX_ITEMS = 1000;
export const DROP_NAME_CHARS = NAME_MAX_CHARS;
/** A drop's refusal as a sender cuts it: a Guardian's names the contents it keeps, with their paths and why (the field takes 64 KiB). */
export const DROP_REFUSAL_CHARS = 4 * 1024;
/** A file's permission bits as a peer may send them (the receiver keeps only read/write/execute: core/kept-mode.ts). */
export const MODE_MAX = 0o7777;
/**
 * The permission bits of a file from a peer that does not send them (a vss older than the `mode`
 * field): private. The sender's bits are unknown; a file only its owner can read exposes nothing,
 * where 0644 would show a private file to every user of the receiving machine.
 */
export const MODE_OF_OLDER_PEER = 0o600;
/** Entries of one listing of a browsable folder of a paired device, at most (issue 59). */
export const BROWSE_MAX_ENTRIES = 10_000;
/** Folders one device makes browsable at most (`vss device browsable add`). */
export const BROWSE_MAX_ROOTS = 64;
/** A lock's ask, at most: each copy's uuids, its path (at most REL_PATH) and its size, with their MessagePack overhead. */
const LOCK_COPY_BYTES = REL_PATH + 160;
/** The feeds (src/sync/feeds/): each a kind of "what changed here since a cursor", served by the one feed engine. */
export const FEEDS = ['availability', 'library', 'shared'] as const;
export type FeedName = (typeof FEEDS)[number];

interface ProtocolRow {
  /** The libp2p protocol id (negotiated by multistream-select): its major version. */
  id: string;
  /** The version of its messages this device speaks. */
  version: number;
  /** A frame above this is refused before it is buffered. */
  maxMessageBytes: number;
  /** Served to paired devices only; the node refuses anyone else before the handler runs (DESIGN §9). */
  pairedOnly: boolean;
  maxInboundStreams: number;
  /** The field that tells its messages apart (a message of unknown kind has it with a value no row has). */
  tagKey: string;
  /** MessagePack decoder limits: nothing it reads allocates more than a well-formed message could. */
  decoder: { maxArrayLength: number; maxMapLength: number; maxStrLength: number; maxBinLength: number };
  /** Older ids of this protocol, newest first, still served and asked for (an older peer's), with the version each speaks. */
  earlier?: ReadonlyArray<{ id: string; version: number }>;
}

/** Every protocol vss speaks between devices. A new version that older peers cannot read is a new row. */
export const PROTOCOLS = {
  /** Pairing (DESIGN §9): the only protocol an unpaired peer may open, and only while a pairing code is open. */
  pair: {
    id: '/vss/pair/1.0.0', version: 1, maxMessageBytes: 16 * 1024, pairedOnly: false, maxInboundStreams: 2, tagKey: 't',
    decoder: { maxArrayLength: 256, maxMapLength: 64, maxStrLength: 16 * 1024, maxBinLength: 1024 },
  },
  // ---- Reconnecting (issue 19 item 6): where the members of a library listen, forwarded ----
  /**
   * Members' signed peer records (libp2p's, each signed by its own device's key), passed on by a
   * device to the others it is connected to, so two that both restarted on new ports find each
   * other through a third. One push per stream; nothing is answered.
   */
  members: {
    id: '/vss/members/1.0.0', version: 1, maxMessageBytes: MEMBER_RECORDS_MAX * (PEER_RECORD_BYTES + 256), pairedOnly: true, maxInboundStreams: 2, tagKey: 't',
    decoder: { maxArrayLength: MEMBER_RECORDS_MAX, maxMapLength: 16, maxStrLength: 256, maxBinLength: PEER_RECORD_BYTES },
  },
  /** A removal told to the device it removes (issue 57): the records that remove it, as shared-data operations. One push a stream; nothing is answered. */
  removal: { id: '/vss/removal/1.0.0', version: 1, maxMessageBytes: 4 * SHARED_OP_CHARS + 1024, pairedOnly: true, maxInboundStreams: 2, tagKey: 't', decoder: { maxArrayLength: 4, maxMapLength: 8, maxStrLength: SHARED_OP_CHARS, maxBinLength: 64 } },
  // ---- end of reconnecting ----
  /**
   * Pairing through a relay (issue 29): a device with a pairing code open asks each relay it holds
   * a slot on to carry circuits to it from devices the relay is not paired with, for as long as
   * the code lives. One message a stream; nothing is answered.
   */
  relayWindow: { id: '/vss/relay-window/1.0.0', version: 1, maxMessageBytes: 256, pairedOnly: true, maxInboundStreams: 2, tagKey: 't', decoder: { maxArrayLength: 4, maxMapLength: 8, maxStrLength: 64, maxBinLength: 64 } },
  /**
   * Browsers away from home (issue 46 item 4): a device tells each relay box it holds a slot on
   * the browsers paired with it there (their peer ids), the only strangers the box carries to it
   * (and to no one else) from then on. The whole list each time; sent at every connection to the
   * box and at every change (a browser paired or revoked). Nothing is answered.
   */
  relayBrowsers: {
    id: '/vss/relay-browsers/1.0.0', version: 1, maxMessageBytes: 8 * 1024, pairedOnly: true, maxInboundStreams: 2, tagKey: 't',
    decoder: { maxArrayLength: 64, maxMapLength: 8, maxStrLength: 128, maxBinLength: 64 },
  },
  /**
   * HTTP over a stream (issue 46 item 4, `net/http-frames.ts`): a browser paired away from home
   * asks its home device's API, end to end through the relay box; a stranger may only pair (a
   * pairing address's ticket), while one is live. Its own framing, not messages: `tagKey` and
   * `decoder` are unused; `maxMessageBytes` bounds the head.
   */
  browserHttp: {
    id: '/vss/http/1.0.0', version: 1, maxMessageBytes: 16 * 1024, pairedOnly: false, maxInboundStreams: 32, tagKey: 't',
    decoder: { maxArrayLength: 0, maxMapLength: 0, maxStrLength: 0, maxBinLength: 0 },
  },
  /**
   * A mapped port, confirmed (issue 29 item 3, what AutoNAT does): a device asks a paired device
   * to dial it back at its public address with a fresh connection. Asked only of paired devices,
   * at the asker's own address as the answerer sees it, so it cannot aim a dial anywhere else.
   */
  dialback: { id: '/vss/dialback/1.0.0', version: 1, maxMessageBytes: 1024, pairedOnly: true, maxInboundStreams: 2, tagKey: 't', decoder: { maxArrayLength: 4, maxMapLength: 8, maxStrLength: 512, maxBinLength: 64 } },
  /** Availability: "who has X?" (digests and deltas are the availability feed). */
  availability: {
    id: '/vss/availability/1.0.0', version: 1, maxMessageBytes: 4 * 1024 * 1024, pairedOnly: true, maxInboundStreams: 8, tagKey: 't',
    decoder: { maxArrayLength: WHO_HAS_MAX, maxMapLength: 64, maxStrLength: 64 * 1024, maxBinLength: 4 * 1024 * 1024 },
  },
  /** Sidecar transfer by address. Headers are messages; file bytes follow, bounded by the header. */
  fetch: {
    id: '/vss/fetch/1.0.0', version: 1, maxMessageBytes: 256 * 1024, pairedOnly: true, maxInboundStreams: 16, tagKey: 'ok',
    decoder: { maxArrayLength: MAX_BATCH_ITEMS, maxMapLength: 64, maxStrLength: 64 * 1024, maxBinLength: 1024 },
  },
  /**
   * Feeds (src/sync/feeds/): every kind of "what changed here since a cursor" — one engine serves,
   * pulls and notifies them all (Syncthing's Index/IndexUpdate), the feed named in each request.
   * Pages of up to 4 MiB (an availability digest chunk, a library page) or 4096 items.
   */
  feed: {
    id: '/vss/feed/1.0.0', version: 1, maxMessageBytes: 4 * 1024 * 1024, pairedOnly: true, maxInboundStreams: 24, tagKey: 't',
    decoder: { maxArrayLength: Math.max(LIBRARY_PAGE_ROWS, SHARED_PAGE_OPS), maxMapLength: 64, maxStrLength: 64 * 1024, maxBinLength: 4 * 1024 * 1024 },
  },
  /** Originals by content address (DESIGN §15): one request a stream; the header, then the file's bytes. */
  original: {
    id: '/vss/original/1.0.0', version: 1, maxMessageBytes: 64 * 1024, pairedOnly: true, maxInboundStreams: 8, tagKey: 'ok',
    decoder: { maxArrayLength: 16, maxMapLength: 64, maxStrLength: 64 * 1024, maxBinLength: 1024 },
  },
  // Spacedrop: files pushed to a paired device's inbox
  /**
   * One offer a stream (or a cancel): the receiver accepts with the offsets it has, then the files'
   * bytes follow in order. Version 2: a file may be offered without its BLAKE3, which then follows
   * its bytes (`sum`), so the sender reads it once, as it sends it; a 1.0.0 receiver gets every
   * BLAKE3 in the offer, as before. Version 3: files offered into a folder of one of the
   * receiver's locations (`place`, issue 30's copy and move across devices) instead of its inbox;
   * a sender asks it only of a receiver that negotiated 3.0.0.
   */
  drop: {
    id: '/vss/drop/3.0.0', version: 3, maxMessageBytes: DROP_MAX_ITEMS * 1200 + 4 * 1024 + 4 * REL_PATH, pairedOnly: true, maxInboundStreams: 4, tagKey: 't',
    decoder: { maxArrayLength: DROP_MAX_ITEMS, maxMapLength: 16, maxStrLength: 64 * 1024, maxBinLength: 1024 },
    earlier: [{ id: '/vss/drop/2.0.0', version: 2 }, { id: '/vss/drop/1.0.0', version: 1 }],
  },
  /**
   * Locks on copies (DESIGN §19, git-annex's `lockContentForRemoval`): a device about to drop its
   * own copy of a content asks the device holding another copy to lock it for the drop. One stream
   * a drop and a device, its asks one after the other (each of at most MAX_LOCK_COPIES copies);
   * what they lock lives as long as the stream (and at most MAX_LOCK_MS from the first ask):
   * released by a `release`, by the stream closing or aborting, or at its time (src/sync/locks/).
   */
  lock: {
    id: '/vss/lock/1.0.0', version: 1, maxMessageBytes: MAX_LOCK_COPIES * LOCK_COPY_BYTES + 4 * 1024, pairedOnly: true, maxInboundStreams: 16, tagKey: 't',
    decoder: { maxArrayLength: MAX_LOCK_COPIES, maxMapLength: 16, maxStrLength: Math.max(REL_PATH, REASON_CHARS), maxBinLength: 64 },
  },
  /**
   * A folder of a paired device that is in none of its locations, read where that device allows it
   * (issue 59: `vss device browsable add PATH` there, off by default): one request a stream — a
   * listing, or one file's bytes followed by their BLAKE3. Read-only, confined to the roots it named.
   */
  browse: {
    id: '/vss/browse/1.0.0', version: 1, maxMessageBytes: BROWSE_MAX_ENTRIES * 1200 + 64 * 1024, pairedOnly: true, maxInboundStreams: 4, tagKey: 't',
    decoder: { maxArrayLength: BROWSE_MAX_ENTRIES, maxMapLength: 16, maxStrLength: 64 * 1024, maxBinLength: 1024 },
  },
} as const satisfies Record<string, ProtocolRow>;

export type ProtocolName = keyof typeof PROTOCOLS;

/** The ids protocol NAME is served and opened under, newest first (libp2p negotiates the first both speak). */
export function protocolIds(name: ProtocolName): string[] {
  const p: ProtocolRow = PROTOCOLS[name];
  return [p.id, ...(p.earlier ?? []).map((e) => e.id)];
}

/**
 * The version of protocol NAME a stream negotiated under ID speaks. A stream that says no id of
 * this protocol (one made by hand, as a test's) speaks the newest.
 */
export function protocolVersion(name: ProtocolName, id: string | undefined): number {
  const p: ProtocolRow = PROTOCOLS[name];
  return p.earlier?.find((e) => e.id === id)?.version ?? p.version;
}

interface MessageRow {
  protocol: ProtocolName;
  /** The literal fields that tell it from the protocol's other messages ({} for a request that is the only thing its step can be). */
  tag: Readonly<Record<string, string | boolean>>;
  /** The version of its protocol that brought it. */
  since: number;
  /** Its frame, at most (within the protocol's bound). */
  maxBytes: number;
  fields: Fields;
}

const PAIR_ERRORS = ['no_code', 'no_session', 'expired', 'used', 'burned', 'cancelled', 'proof', 'identity', 'protocol'] as const;
const PAIR_TEXT = 200;
const KiB = 1024;
const DIGEST_BYTES = PROTOCOLS.availability.maxMessageBytes - KiB;

/** Every peer message: protocol, tag, version, bound, fields. */
export const PEER_MESSAGES = {
  // ---- /vss/pair: J the joiner, I the initiator (DESIGN §9 "Pairing"); in this order ----
  /** J→I: which session, and the joiner's nonce. */
  'pair.hello': { protocol: 'pair', tag: { t: 'hello' }, since: 1, maxBytes: KiB, fields: { v: f.version(1, 'pairing protocol'), session_id: f.bytes(16), nonce_j: f.bytes(32) } },
  /** I→J: the initiator proves the code over both keys and nonces, and challenges the joiner. */
  'pair.challenge': { protocol: 'pair', tag: { t: 'challenge' }, since: 1, maxBytes: KiB, fields: { nonce_i: f.bytes(32), challenge: f.bytes(32), mac_i: f.bytes(32) } },
  /** J→I: the joiner proves the code and signs the transcript (with the challenge) with its device key. */
  'pair.proof': { protocol: 'pair', tag: { t: 'proof' }, since: 1, maxBytes: KiB, fields: { mac_j: f.bytes(32), sig: f.bytes(64) } },
  /**
   * I→J, only after both proofs: who the initiator is and the library to join. No library: the
   * initiator has none (a relay box set up for the purpose), and joins the joiner's instead.
   */
  'pair.host_device': {
    protocol: 'pair', tag: { t: 'host_device' }, since: 1, maxBytes: 12 * KiB,
    fields: {
      device_uuid: f.uuid, name: f.text(PAIR_TEXT), public_key: f.pem, library: f.optional(f.object({ id: f.uuid, name: f.text(PAIR_TEXT) })),
      /** The admission's time and the removals of the joiner it undoes, as the admitting device (this one, when it offers its library) chose them (issue 46). */
      member_at: f.optional(f.string(32)), member_over: f.optional(f.array(f.uuid, MEMBER_REFS_MAX)),
      /** The library's founder as the admitting device knows it (its key): who may admit is worked out from it (`tags/membership.ts`). */
      member_founder: f.optional(f.pem),
    },
  },
  /** J→I: who the joiner is; with the library it brings when the initiator named none. */
  'pair.joiner_device': {
    protocol: 'pair', tag: { t: 'joiner_device' }, since: 1, maxBytes: 12 * KiB,
    fields: {
      device_uuid: f.uuid, name: f.text(PAIR_TEXT), public_key: f.pem, library: f.optional(f.object({ id: f.uuid, name: f.text(PAIR_TEXT) })),
      /** The admission both sign (issue 46, `tags/member-record.ts`): its time as the joiner chose it, and the joiner's signature. */
      member_at: f.optional(f.string(32)), member_sig: f.optional(f.string(MEMBER_SIG_CHARS)), member_over: f.optional(f.array(f.uuid, MEMBER_REFS_MAX)),
      member_founder: f.optional(f.pem),
    },
  },
  /** I→J: the initiator has recorded the joiner; the joiner records the initiator. With the initiator's signature of the admission. */
  'pair.done': { protocol: 'pair', tag: { t: 'done' }, since: 1, maxBytes: 512, fields: { member_sig: f.optional(f.string(MEMBER_SIG_CHARS)) } },
  /** Either way, then the stream ends. */
  'pair.error': { protocol: 'pair', tag: { t: 'error' }, since: 1, maxBytes: 2 * KiB, fields: { code: f.oneOf(PAIR_ERRORS), message: f.text(REASON_CHARS) } },

  // ---- /vss/members (issue 19 item 6, reconnecting): one push per stream, not answered ----
  /**
   * Where members of the libraries sender and receiver share listen: for each, its peer id and its
   * signed peer record (libp2p's envelope). The receiver takes a record only if its signature is
   * that peer's own and the peer is paired there; a third device cannot make up anyone's address.
   */
  'members.records': {
    protocol: 'members', tag: { t: 'records' }, since: 1, maxBytes: PROTOCOLS.members.maxMessageBytes,
    fields: { records: f.array(f.object({ peer_id: f.string(128), record: f.blob(PEER_RECORD_BYTES) }), MEMBER_RECORDS_MAX) },
  },
  /** The removals of the receiver from LIBRARY (shared-data operations as JSON, checked as a pull's): it learns why every member refuses it. */
  'removal.notice': { protocol: 'removal', tag: { t: 'notice' }, since: 1, maxBytes: PROTOCOLS.removal.maxMessageBytes, fields: { library: f.uuid, ops: f.array(f.string(SHARED_OP_CHARS), 4) } },
  // ---- end of reconnecting ----

  /** Carry strangers' circuits to the sender for FOR_MS (at most a pairing code's life), or no longer with 0. */
  'relayWindow.open': { protocol: 'relayWindow', tag: { t: 'open' }, since: 1, maxBytes: 64, fields: { for_ms: f.uint } },

  /** "Carry these browsers (peer ids) to me, and only these": the whole list (issue 46 item 4). */
  'relayBrowsers.set': { protocol: 'relayBrowsers', tag: { t: 'set' }, since: 1, maxBytes: 8 * 1024, fields: { browsers: f.array(f.string(64), 64) } },

  /** "Dial me at ADDR (TCP, my address as you see it), on a connection of its own." */
  'dialback.ask': { protocol: 'dialback', tag: { t: 'ask' }, since: 1, maxBytes: 512, fields: { addr: f.string(256) } },
  /** Whether the dial reached the asker's key at ADDR; the reason when not (refused unasked, or the dial failed). */
  'dialback.result': { protocol: 'dialback', tag: { t: 'result' }, since: 1, maxBytes: 1024, fields: { ok: f.bool, refused: f.bool, reason: f.string(REASON_CHARS) } },

  // ---- /vss/availability: "who has?", one request per stream (DESIGN §9 "Availability"); what changed is the availability feed ----
  /** "Who has X?": which of these ([content uuid, kind, variant]) the device has ready now. Answered by `has`. */
  'availability.who-has': {
    protocol: 'availability', tag: { t: 'who-has' }, since: 1, maxBytes: 1024 * KiB,
    fields: { library_id: f.string(64), addresses: f.array(f.tuple(f.uuid, f.string(NAME), f.string(NAME)), WHO_HAS_MAX) },
  },
  'availability.has': { protocol: 'availability', tag: { t: 'has' }, since: 1, maxBytes: PROTOCOLS.availability.maxMessageBytes, fields: { data: f.digest(DIGEST_BYTES) } },
  /** Any refusal; the stream ends. */
  'availability.error': { protocol: 'availability', tag: { t: 'error' }, since: 1, maxBytes: 64 * KiB, fields: { reason: f.string(64 * KiB) } },

  // ---- /vss/fetch: one request, then each item answered in order (DESIGN §9 "Transfer") ----
  /**
   * Sidecars by address (never a path), each with the size and checksum the asker expects (the
   * server's own availability entry) and the offset a resumed transfer starts from.
   */
  'fetch.request': {
    protocol: 'fetch', tag: {}, since: 1, maxBytes: PROTOCOLS.fetch.maxMessageBytes,
    fields: {
      lib: f.string(64),
      items: f.array(f.object({ c: f.string(64), k: f.string(NAME), v: f.string(NAME), f: f.string(NAME), s: f.uint, x: f.string(128), o: f.uint }), MAX_BATCH_ITEMS),
    },
  },
  /** An item served: exactly `size - offset` raw bytes follow. */
  'fetch.item': { protocol: 'fetch', tag: { ok: true }, since: 1, maxBytes: KiB, fields: { size: f.uint, checksum: f.string(128), format: f.string(NAME), offset: f.uint } },
  /** An item refused (not ready, not shared, changed, not an address); the next item's answer follows. */
  'fetch.refused': { protocol: 'fetch', tag: { ok: false }, since: 1, maxBytes: 64 * KiB, fields: { reason: f.string(64 * KiB) } },

  // ---- /vss/feed: one request per stream (src/sync/feeds/engine.ts), the feed named in it ----
  /**
   * Ask the owner what changed in FEED since SEQ of EPOCH (all of it when unknown or of another
   * epoch); RESUME: a pull that was cut off, to go on from the last page applied (a feed whose
   * pages carry a position). Answered by the feed's head, its pages… (each acked) and `end`.
   */
  'feed.pull': {
    protocol: 'feed', tag: { t: 'pull' }, since: 1, maxBytes: 8 * KiB,
    fields: {
      library_id: f.string(64), feed: f.oneOf(FEEDS), epoch: f.optional(f.nullable(f.string(64))), seq: f.optional(f.uint),
      resume: f.optional(f.object({ full: f.bool, to_seq: f.uint, after_seq: f.uint, after_id: f.uint, after_name: f.string(ENTRY_NAME) })),
      // Another member's rows as the asked device holds them, signed by their owner (the library feed; DESIGN §15 "Trust")
      owner: f.optional(f.uuid),
    },
  },
  'feed.ack': { protocol: 'feed', tag: { t: 'ack' }, since: 1, maxBytes: 64, fields: {} },
  /** The pull is whole: what it held, to check against what came; TO_SEQ: where the follower's cursor stands now. */
  'feed.end': { protocol: 'feed', tag: { t: 'end' }, since: 1, maxBytes: 256, fields: { pages: f.uint, items: f.uint, to_seq: f.uint } },
  /** A push: the sender's FEED changed up to SEQ (the receiver pulls). Answered by `ok`. */
  'feed.changed': { protocol: 'feed', tag: { t: 'changed' }, since: 1, maxBytes: 256, fields: { library_id: f.string(64), feed: f.oneOf(FEEDS), seq: f.uint } },
  'feed.ok': { protocol: 'feed', tag: { t: 'ok' }, since: 1, maxBytes: 64, fields: {} },
  /** Any refusal; the stream ends. */
  'feed.error': { protocol: 'feed', tag: { t: 'error' }, since: 1, maxBytes: 64 * KiB, fields: { reason: f.string(64 * KiB) } },

  // ---- the availability feed (DESIGN §9 "Availability"): the sidecars this device has, a delta since SEQ of EPOCH or the full set ----
  /** What the pull brings: the changes after FROM_SEQ up to TO_SEQ, or (FULL) the whole set. */
  'feed.availability.head': { protocol: 'feed', tag: { t: 'availability.head' }, since: 1, maxBytes: 512, fields: { epoch: f.string(64), full: f.bool, from_seq: f.uint, to_seq: f.uint } },
  /** One chunk of the digest (its header repeats the head's, for the codec's checks); the follower applies the whole digest at the end. */
  'feed.availability.page': { protocol: 'feed', tag: { t: 'availability.page' }, since: 1, maxBytes: PROTOCOLS.feed.maxMessageBytes, fields: { data: f.digest(DIGEST_BYTES) } },

  // ---- the shared-data feed (DESIGN §15 "Shared data"): the sender's log of operations ----
  /** What the pull brings: the log after FROM_SEQ of EPOCH up to about TO_SEQ, or (FULL) the whole state where the log was pruned. */
  'feed.shared.head': { protocol: 'feed', tag: { t: 'shared.head' }, since: 1, maxBytes: 512, fields: { epoch: f.string(64), full: f.bool, from_seq: f.uint, to_seq: f.uint } },
  /** Operations in the order the sender logged them, each as JSON (the receiver checks each); SEQ: the last one's number there. */
  'feed.shared.page': {
    protocol: 'feed', tag: { t: 'shared.page' }, since: 1, maxBytes: 2 * 1024 * KiB,
    fields: { seq: f.uint, ops: f.array(f.string(SHARED_OP_CHARS), SHARED_PAGE_OPS) },
  },

  // ---- the device-owned rows feed (DESIGN §15 "Device-owned data"): an owner's own rows, a delta
  // since SEQ of EPOCH or a full copy; its pages carry their position, so a pull cut off resumes ----
  /** The owner: who it is now (its name travels here), what the pull brings, and its locations (the whole list). */
  'feed.library.head': {
    protocol: 'feed', tag: { t: 'library.head' }, since: 1, maxBytes: PROTOCOLS.feed.maxMessageBytes,
    fields: {
      device: f.object({ uuid: f.uuid, name: f.text(PAIR_TEXT), os: f.string(32) }),
      epoch: f.string(64), full: f.bool, from_seq: f.uint, to_seq: f.uint, resumed: f.bool,
      locations: f.array(f.object({
        id: f.uint, uuid: f.uuid, name: f.text(255), path: f.string(REL_PATH), mode: f.string(16), files: f.uint, dirs: f.uint, bytes: f.uint,
        // False while its drive is unplugged; absent from an older vss (online)
        online: f.optional(f.bool),
      }), LIBRARY_MAX_LOCATIONS),
      // The owner's signature over the head (row-signature.ts; absent from an older vss): what lets a member pass its rows on
      sig: f.optional(f.bytes(64)),
      // Other members' rows the sender holds whole and signed, and passes on when asked (`owner` in the pull)
      held: f.optional(f.array(f.object({ device: f.uuid, epoch: f.string(64), seq: f.uint }), LIBRARY_HELD_OWNERS)),
    },
  },
  /**
   * A page: folders (or a part of one: `whole` false until its last part), each with its listing
   * by name — [name, kind, size, mtime ms, content uuid] — and the facts of the contents they hold:
   * [uuid, cas id, cas version, kind, mime, size, media metadata JSON]. `verified`: when each entry
   * of the listing, in its order, was last verified (ms, null: never); a list of its own, as an
   * older vss refuses an entry of six and leaves out a field it does not know (absent from an older
   * vss, or when none of the part's entries was: all null).
   */
  'feed.library.page': {
    protocol: 'feed', tag: { t: 'library.page' }, since: 1, maxBytes: PROTOCOLS.feed.maxMessageBytes,
    fields: {
      folders: f.array(f.object({
        location: f.uint, path: f.string(REL_PATH), id: f.uint, seq: f.uint, whole: f.bool,
        entries: f.array(f.tuple(f.string(ENTRY_NAME), f.oneOf(['file', 'dir', 'symlink']), f.uint, f.nullable(f.uint), f.nullable(f.uuid)), LIBRARY_PAGE_ROWS),
        verified: f.optional(f.array(f.nullable(f.uint), LIBRARY_PAGE_ROWS)),
        // On a folder's last part: its owner's signature over the whole listing (row-signature.ts)
        sig: f.optional(f.bytes(64)),
      }), LIBRARY_PAGE_ROWS),
      contents: f.array(f.tuple(f.uuid, f.string(128), f.uint, f.string(32), f.string(255), f.uint, f.nullable(f.string(MEDIA_METADATA_CHARS))), LIBRARY_PAGE_ROWS),
    },
  },
  // ---- /vss/original: one request per stream (DESIGN §15 "Originals on another device") ----
  /** A content's original by address (never a path), from OFFSET on (a resumed copy), LENGTH bytes of it at most (a viewer's range). */
  'original.request': { protocol: 'original', tag: {}, since: 1, maxBytes: KiB, fields: { lib: f.string(64), content: f.uuid, offset: f.uint, length: f.optional(f.uint) } },
  /**
   * Served: exactly `min(length, size - offset)` raw bytes follow; a copy is checked against the
   * content id. MODE and MTIME_MS: the file's permission bits and modification time (ms), which
   * the copy keeps (absent from an older vss: MODE_OF_OLDER_PEER, and the time of the copy).
   */
  'original.item': {
    protocol: 'original', tag: { ok: true }, since: 1, maxBytes: KiB,
    fields: { size: f.uint, offset: f.uint, cas_id: f.string(128), cas_version: f.uint, mode: f.optional(f.uintUpTo(MODE_MAX)), mtime_ms: f.optional(f.uint) },
  },
  /** Not served (not here, changed since indexed, not shared); the stream ends. */
  'original.refused': { protocol: 'original', tag: { ok: false }, since: 1, maxBytes: 64 * KiB, fields: { reason: f.string(64 * KiB) } },

  // Spacedrop: the sender pushes files to the receiver's inbox
  /**
   * S→R: the files of one send (TRANSFER names it across retries, so a resumed send finds its
   * partial files): base names, sizes, and each file's full BLAKE3 (hex), which the receiver checks
   * (version 2: absent when it follows the file's bytes, in a `sum`; version 1 requires it);
   * its permission bits and modification time (ms), which the received file keeps (absent from an
   * older vss: MODE_OF_OLDER_PEER, and the time it arrived).
   */
  'drop.offer': {
    protocol: 'drop', tag: { t: 'offer' }, since: 1, maxBytes: PROTOCOLS.drop.maxMessageBytes,
    fields: {
      transfer: f.uuid, total: f.uint,
      items: f.array(f.object({ name: f.string(DROP_NAME_CHARS), size: f.uint, blake3: f.optional(f.string(64)), mode: f.optional(f.uintUpTo(MODE_MAX)), mtime_ms: f.optional(f.uint) }), DROP_MAX_ITEMS),
    },
  },
  /**
   * S→R (version 3), instead of an offer: the same files to land in folder DIR (relative, '/'-
   * separated; '' its root) of the receiver's location LOCATION (its uuid) in LIBRARY, a name
   * taken there handled as ON_CONFLICT says (skip, keep-both, replace). The receiver refuses a
   * location not its own, a library the sender does not share, and a DIR that could step outside
   * it; what lands is indexed there. The rest of the stream goes as after an offer. FORCE: the
   * user said --force, to go past a guard's refusal; the receiver weighs its own guard with it and
   * still refuses unless it takes force from peers (its `peer_force` setting, off by default)
   * (absent from an older sender: not forced).
   */
  'drop.place': {
    protocol: 'drop', tag: { t: 'place' }, since: 3, maxBytes: PROTOCOLS.drop.maxMessageBytes,
    fields: {
      transfer: f.uuid, total: f.uint, library: f.uuid, location: f.uuid, dir: f.string(REL_PATH), on_conflict: f.string(16), force: f.optional(f.bool),
      items: f.array(f.object({ name: f.string(DROP_NAME_CHARS), size: f.uint, blake3: f.optional(f.string(64)), mode: f.optional(f.uintUpTo(MODE_MAX)), mtime_ms: f.optional(f.uint) }), DROP_MAX_ITEMS),
    },
  },
  /**
   * R→S: accepted; for each item the bytes it has already (a resumed send: the sender sends the
   * rest). PLACED (version 2): the items in the inbox already, whose bytes and `sum` do not come
   * again (an item whose partial is whole has the same offset, and its `sum` still comes).
   */
  'drop.accept': {
    protocol: 'drop', tag: { t: 'accept' }, since: 1, maxBytes: DROP_MAX_ITEMS * 20 + 64,
    fields: { offsets: f.array(f.uint, DROP_MAX_ITEMS), placed: f.optional(f.array(f.uint, DROP_MAX_ITEMS)) },
  },
  /**
   * S→R (version 2), right after the bytes of item INDEX when it was offered without its BLAKE3:
   * the BLAKE3 of the whole file as the sender read it while it sent it (the bytes the receiver
   * had already included). The receiver places the file only when its own hash of what it holds
   * is this one.
   */
  'drop.sum': { protocol: 'drop', tag: { t: 'sum' }, since: 2, maxBytes: 256, fields: { index: f.uint, blake3: f.string(64) } },
  /** R→S: the offer (no INDEX) or one item refused, with why (RETRY: it may work in a moment); nothing of a refused item is kept, and the stream ends. */
  'drop.refused': { protocol: 'drop', tag: { t: 'refused' }, since: 1, maxBytes: 64 * KiB, fields: { reason: f.string(64 * KiB), index: f.optional(f.uint), retry: f.optional(f.bool) } },
  /** S→R, after the last item's bytes: nothing more follows (a byte more than announced would stand where this is). */
  'drop.end': { protocol: 'drop', tag: { t: 'end' }, since: 1, maxBytes: 64, fields: {} },
  /**
   * R→S: item INDEX is verified, flushed and in the inbox (or the place's folder) under NAME;
   * SKIPPED (version 3): not written, NAME being taken there and the place's policy `skip`.
   */
  'drop.saved': { protocol: 'drop', tag: { t: 'saved' }, since: 1, maxBytes: KiB, fields: { index: f.uint, name: f.string(DROP_NAME_CHARS + 16), skipped: f.optional(f.bool) } },
  /** R→S: every item is in (or, answering a cancel, what was half received is gone). */
  'drop.done': { protocol: 'drop', tag: { t: 'done' }, since: 1, maxBytes: 64, fields: { items: f.uint } },
  /** S→R, instead of an offer: the send TRANSFER was cancelled; its partial files go. */
  /** (version 3: LIBRARY and LOCATION say the place whose partial files go, for a send into a location) */
  'drop.cancel': { protocol: 'drop', tag: { t: 'cancel' }, since: 1, maxBytes: 256, fields: { transfer: f.uuid, library: f.optional(f.uuid), location: f.optional(f.uuid) } },

  // ---- /vss/lock: asks on one stream, one after the other, what they lock held until the stream ends (src/sync/locks/) ----
  /**
   * A→H: lock these copies of H's own (each by its content, H's location uuid, its path there and
   * its size) in LIBRARY_ID for at most MS, for a drop A is about to make. Answered by `held`; the
   * next ask (the same library) or the `release` may follow.
   */
  'lock.ask': {
    protocol: 'lock', tag: { t: 'ask' }, since: 1, maxBytes: PROTOCOLS.lock.maxMessageBytes,
    fields: {
      library_id: f.uuid, ms: f.uint,
      copies: f.array(f.object({ content_uuid: f.uuid, location: f.uuid, rel_path: f.string(REL_PATH), size: f.uint }), MAX_LOCK_COPIES),
    },
  },
  /**
   * H→A: the copies (indices of this ask) held locked, why not each other one, and for how long
   * (ms from when H locked them: what is left of the time granted at the first ask, at most
   * MAX_LOCK_MS). The stream stays open while the locks hold: H closes it when their time runs out.
   */
  'lock.held': {
    protocol: 'lock', tag: { t: 'held' }, since: 1, maxBytes: MAX_LOCK_COPIES * (REASON_CHARS + 32) + KiB,
    fields: {
      held: f.array(f.uint, MAX_LOCK_COPIES), ms: f.uint,
      refused: f.array(f.object({ i: f.uint, reason: f.string(REASON_CHARS) }), MAX_LOCK_COPIES),
    },
  },
  /** A→H: the drop is over; every lock of the stream goes. Answered by `released`, then the stream ends. */
  'lock.release': { protocol: 'lock', tag: { t: 'release' }, since: 1, maxBytes: 64, fields: {} },
  'lock.released': { protocol: 'lock', tag: { t: 'released' }, since: 1, maxBytes: 64, fields: {} },
  /** H→A: the whole ask refused (a library not shared, not open here, a malformed ask, too many asks); the stream ends, and every lock of it with it. */
  'lock.error': { protocol: 'lock', tag: { t: 'error' }, since: 1, maxBytes: 2 * KiB, fields: { reason: f.string(REASON_CHARS) } },

  // ---- /vss/browse: a browsable folder of a paired device (issue 59), one request a stream ----
  /** List PATH (absolute, inside a root the serving device made browsable), LIMIT entries at most. */
  'browse.list': { protocol: 'browse', tag: { t: 'list' }, since: 1, maxBytes: 8 * KiB, fields: { path: f.string(REL_PATH), limit: f.uint } },
  /** The folder's entries: name, what it is, kind by its first bytes (a file's), size, modified (ms). */
  'browse.listing': {
    protocol: 'browse', tag: { t: 'listing' }, since: 1, maxBytes: BROWSE_MAX_ENTRIES * 1200 + 1024,
    fields: {
      entries: f.array(f.object({ name: f.string(ENTRY_NAME), type: f.string(16), kind: f.nullable(f.string(32)), size: f.uint, modified: f.nullable(f.uint) }), BROWSE_MAX_ENTRIES),
      truncated: f.bool,
    },
  },
  /** Send the file at PATH (a regular file inside a browsable root): its size, then exactly that many raw bytes, then `sum`. */
  'browse.read': { protocol: 'browse', tag: { t: 'read' }, since: 1, maxBytes: 8 * KiB, fields: { path: f.string(REL_PATH) } },
  'browse.file': { protocol: 'browse', tag: { t: 'file' }, since: 1, maxBytes: 256, fields: { size: f.uint, mtime_ms: f.optional(f.uint) } },
  /** The BLAKE3 of the bytes just sent, as the sender read them: the receiver's copy must hash to it. */
  'browse.sum': { protocol: 'browse', tag: { t: 'sum' }, since: 1, maxBytes: 256, fields: { blake3: f.string(64) } },
  'browse.refused': { protocol: 'browse', tag: { t: 'refused' }, since: 1, maxBytes: 2 * KiB, fields: { reason: f.string(REASON_CHARS) } },
  /** Which folders may I browse? Answered with `roots` (the explorer shows them beside the locations). */
  'browse.roots': { protocol: 'browse', tag: { t: 'roots' }, since: 1, maxBytes: 64, fields: {} },
  'browse.rootList': { protocol: 'browse', tag: { t: 'rootList' }, since: 1, maxBytes: BROWSE_MAX_ROOTS * (REL_PATH + 8) + 64, fields: { paths: f.array(f.string(REL_PATH), BROWSE_MAX_ROOTS) } },
} as const satisfies Record<string, MessageRow>;

export type MessageName = keyof typeof PEER_MESSAGES;
/** The messages of protocol P. */
export type MessageOf<P extends ProtocolName> = { [N in MessageName]: (typeof PEER_MESSAGES)[N]['protocol'] extends P ? N : never }[MessageName];
