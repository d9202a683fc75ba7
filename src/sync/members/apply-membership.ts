import type { Library } from '../../library/library.js';
import type { MemberBody } from '../../tags/member-record.js';
import { founderOf, membership, type MemberFact, type MembershipView } from '../../tags/membership.js';
import { peerIdOfPublicKey } from '../net/device-key.js';
import type { PairedDevices } from '../pairing/paired-devices.js';

export interface MembershipChange {
  /** Peer ids trusted for the library now that were not. */
  added: string[];
  /** Removed from the library: [device uuid, peer id, whether it is trusted for nothing now]. */
  dropped: Array<{ uuid: string; peerId: string; gone: boolean }>;
  /** Devices the records name whose uuid or key is another device's here (this device's own uuid among them), or past the bound of members: left out. */
  conflicts: string[];
  /** This device was removed from the library. */
  selfRemoved: boolean;
  view: MembershipView;
}

/** LIB's membership records of LIB itself (a record of another library in its log is no evidence here). */
export function memberFacts(lib: Library): MemberFact[] {
  const libraryId = lib.config.id;
  const facts: MemberFact[] = [];
  for (const row of lib.store.libraryMembers.all()) {
    const body = JSON.parse(row.body) as MemberBody;
    if (body.library === libraryId) facts.push({ id: row.id, body });
  }
  return facts;
}

/** LIB's membership as this device (SELF) sees it: its roots are itself and the devices paired with it for the library. */
export function membershipHere(trust: PairedDevices, lib: Library, self: { uuid: string; name: string; key: string }): MembershipView {
  const libraryId = lib.config.id;
  const roots = new Map<string, { uuid: string; name: string }>([[self.key, { uuid: self.uuid, name: self.name }]]);
  for (const d of trust.list()) {
    if (d.library_ids.includes(libraryId) && !(d.member_of ?? []).includes(libraryId)) roots.set(d.public_key, { uuid: d.device_uuid, name: d.name });
  }
  const facts = memberFacts(lib);
  return membership(facts, roots, Date.now(), founderOf(facts, self.key), self.key);
}

/**
 * Bring the trust store in step with LIB's membership records (issue 46): every member is trusted
 * for the library (dialled, served, relayed for), every removed one is not. The roots are this
 * device and the devices paired with it for the library. The trust store is written once.
 */
export function applyMembership(trust: PairedDevices, lib: Library, self: { uuid: string; name: string; key: string }): MembershipChange {
  const libraryId = lib.config.id;
  const view = membershipHere(trust, lib, self);
  const out: MembershipChange = { added: [], dropped: [], conflicts: [], selfRemoved: view.removed.has(self.key), view };
  trust.batch(() => {
    for (const [key, m] of view.members) {
      if (key === self.key) continue;
      // This device's own uuid under another key: not a device to trust (its rows, once removed, would be this device's).
      if (m.uuid === self.uuid) {
        out.conflicts.push(m.uuid);
        continue;
      }
      const got = trust.addMember(libraryId, { uuid: m.uuid, name: m.name, key, at: m.admitted_at ?? new Date().toISOString() });
      if (got === 'added') out.added.push(peerIdOfPublicKey(key));
      if (got === 'conflict') out.conflicts.push(m.uuid);
      // What the rights say of relaying it for this library (the relay's slots and hops ask).
      else trust.setRelay(m.uuid, libraryId, m.rights.includes('relay'));
    }
    for (const key of view.removed.keys()) {
      if (key === self.key) continue;
      const peerId = peerIdOfPublicKey(key);
      const d = trust.byPeerId(peerId);
      if (!d || d.device_uuid === self.uuid) continue;
      const got = trust.dropLibrary(d.device_uuid, libraryId);
      if (got !== 'none') out.dropped.push({ uuid: d.device_uuid, peerId, gone: got === 'gone' });
    }
  });
  return out;
}
