import type { Library } from '../../library/library.js';
import type { MemberBody } from '../../tags/member-record.js';
import { peerIdOfPublicKey } from '../net/device-key.js';
import type { PairedDevices } from '../pairing/paired-devices.js';
import { membership, type MembershipView } from './membership.js';

export interface MembershipChange {
  /** Peer ids trusted for the library now that were not. */
  added: string[];
  /** Removed from the library: [device uuid, peer id, whether it is trusted for nothing now]. */
  dropped: Array<{ uuid: string; peerId: string; gone: boolean }>;
  /** Devices the records name whose uuid or key is another device's here: left out. */
  conflicts: string[];
  /** This device was removed from the library. */
  selfRemoved: boolean;
  view: MembershipView;
}

/**
 * Bring the trust store in step with LIB's membership records (issue 46): every member is trusted
 * for the library (dialled, served, relayed for), every removed one is not. The roots are this
 * device and the devices paired with it for the library; the records of another library are no
 * evidence here.
 */
export function applyMembership(trust: PairedDevices, lib: Library, self: { uuid: string; name: string; key: string }): MembershipChange {
  const libraryId = lib.config.id;
  const facts: MemberBody[] = [];
  for (const row of lib.store.libraryMembers.all()) {
    const body = JSON.parse(row.body) as MemberBody;
    if (body.library === libraryId) facts.push(body);
  }
  const roots = new Map<string, { uuid: string; name: string }>([[self.key, { uuid: self.uuid, name: self.name }]]);
  for (const d of trust.list()) {
    if (d.library_ids.includes(libraryId) && !(d.member_of ?? []).includes(libraryId)) roots.set(d.public_key, { uuid: d.device_uuid, name: d.name });
  }
  const view = membership(facts, roots);
  const out: MembershipChange = { added: [], dropped: [], conflicts: [], selfRemoved: view.removed.has(self.key), view };
  for (const [key, m] of view.members) {
    if (key === self.key) continue;
    const got = trust.addMember(libraryId, { uuid: m.uuid, name: m.name, key, at: m.admitted_at ?? new Date().toISOString() });
    if (got === 'added') out.added.push(peerIdOfPublicKey(key));
    if (got === 'conflict') out.conflicts.push(m.uuid);
  }
  for (const key of view.removed.keys()) {
    if (key === self.key) continue;
    const peerId = peerIdOfPublicKey(key);
    const d = trust.byPeerId(peerId);
    if (!d) continue;
    const got = trust.dropLibrary(d.device_uuid, libraryId);
    if (got !== 'none') out.dropped.push({ uuid: d.device_uuid, peerId, gone: got === 'gone' });
  }
  return out;
}
