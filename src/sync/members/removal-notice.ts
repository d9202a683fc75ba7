import type { Stream } from '@libp2p/interface';
import type { Library } from '../../library/library.js';
import type { MemberBody } from '../../tags/member-record.js';
import { SharedData } from '../../tags/shared-data.js';
import { PeerChannel } from '../messages/channel.js';
import type { RemoteDevice } from '../peer-link.js';

/*
 * A removed device is told (issue 57): a member that drops a device it is connected to (it removed
 * it, or took in another member's removal of it) sends it the removal first, then hangs up. The
 * device takes the record in as it takes any membership record (checked: signed by a member it
 * trusts, about itself, one that counts), works its membership out again, and says it was removed
 * (`devices list`, `daemon status`, the web app's Devices page) instead of finding every member
 * offline. A device offline when it was removed is refused by every member before any message, so
 * it learns only when one it reaches still tells it.
 */

/**
 * How long telling a removed device may take (it may be gone meanwhile: then it is not told). The
 * member hangs up only after it, so a generous bound costs a connected device nothing, while a
 * short one left a device busy for a few seconds (a scan, a loaded machine) never told at all.
 */
const TELL_MS = 10_000;

/** The removal ID of the device DEVICEUUID from LIB (the one that counts), as the shared-data operation a pull would carry. */
export function removalOps(lib: Library, deviceUuid: string, id: string): string[] {
  return lib.store.libraryMembers.removalsOf([deviceUuid]).filter((r) => r.id === id)
    .map((r) => JSON.stringify({ hlc: r.hlc, record: 'member', id: r.id, set: { body: r.body, sig_by: r.sig_by, sig_member: null } }));
}

/** Send OPS (the removals of the device behind OPEN's stream from LIBRARY) to it. */
export async function tellRemoved(open: (signal: AbortSignal) => Promise<Stream>, library: string, ops: string[]): Promise<void> {
  const signal = AbortSignal.timeout(TELL_MS);
  const ch = new PeerChannel(await open(signal), 'removal');
  await ch.send('removal.notice', { library, ops }, signal);
  await ch.close();
}

/**
 * A removal told by REMOTE (a device this one trusts): taken into the library it names when the
 * two share it and every operation is a removal of this device; TAKEN then works the membership
 * out again. Anything else is dropped unread: this is no second way in for records.
 */
export async function serveRemovalNotice(stream: Stream, remote: RemoteDevice, libraryOf: (id: string) => Library | undefined, taken: (lib: Library) => void): Promise<void> {
  const ch = new PeerChannel(stream, 'removal');
  const { body } = await ch.receive(['removal.notice'], { signal: AbortSignal.timeout(TELL_MS) });
  await ch.close();
  const lib = remote.libraryIds.includes(body.library) ? libraryOf(body.library) : undefined;
  if (!lib) return;
  const ops = body.ops.map(parse).filter((op) => op !== undefined && isRemovalOf(op, lib.device.publicKey, body.library));
  if (ops.length === 0 || ops.length !== body.ops.length) return;
  if (new SharedData(lib).receive(ops, remote.deviceUuid).applied > 0) taken(lib);
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRemovalOf(op: unknown, key: string, library: string): boolean {
  const o = op as { record?: unknown; set?: { body?: unknown } };
  if (o?.record !== 'member' || typeof o.set?.body !== 'string') return false;
  const b = parse(o.set.body) as Partial<Extract<MemberBody, { kind: 'remove' }>> | undefined;
  return b?.kind === 'remove' && b.library === library && b.member?.key === key;
}
