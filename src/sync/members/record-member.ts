import type { Library } from '../../library/library.js';
import { memberRecordId, removalBody, rightsBody, signMemberBody, type AdmissionTerms, type Right, type MemberRecord, type MemberSide } from '../../tags/member-record.js';
import { founderOf } from '../../tags/membership.js';
import { SharedData } from '../../tags/shared-data.js';
import { memberFacts, membershipHere } from './apply-membership.js';
import { VssError } from '../../core/errors.js';
import type { PairedDevices } from '../pairing/paired-devices.js';

/** A membership record made here (a pairing's admission, a removal) goes into LIB's shared data: every member gets it. */
export function recordMember(lib: Library, record: MemberRecord): void {
  new SharedData(lib).commit([{ record: 'member', id: memberRecordId(record.body), set: record }]);
}

/**
 * SELF removes DEVICE from LIB for every member (issue 46): a removal signed with SELF's key,
 * naming the records DEVICE signed that this device holds (they stand; anything else it signs
 * from now on counts for nothing), recorded in the library's shared data, which every member takes
 * in and then refuses the device.
 */
export function recordRemoval(lib: Library, self: MemberSide, privateKeyPem: string, device: { uuid: string; key: string }, at = new Date()): void {
  const keeps = memberFacts(lib)
    .filter((f) => f.body.by.key === device.key || (f.body.kind === 'admit' && f.body.member.key === device.key))
    .map((f) => f.id);
  const body = removalBody(lib.config.id, at.toISOString(), self, device, keeps);
  recordMember(lib, { body, sig_by: signMemberBody(body, privateKeyPem), sig_member: null });
}

/**
 * Why SELF may not remove DEVICE from LIB (issue 57, N2), or undefined when it may: removing needs
 * the right to remove, and removing the library's founder or a device that may admit needs the
 * right to admit too (the rule every member applies to the removal, `tags/membership.ts`: one made
 * against it would count for nothing). A device out of the library itself is not refused here:
 * what it signs counts for nothing anyway, and it may still forget devices.
 */
export function removalRefused(trust: PairedDevices, lib: Library, self: MemberSide, device: { uuid: string; key: string; name: string }): string | undefined {
  const view = membershipHere(trust, lib, self);
  const mine = view.members.get(self.key)?.rights;
  if (mine === undefined) return undefined;
  const others = (right: Right) => [...view.members.values()].filter((m) => m.key !== device.key && m.key !== self.key && m.rights.includes(right)).map((m) => m.name);
  const ask = (names: string[]) => (names.length > 0 ? ` (${names.join(', ')})` : '');
  if (!mine.includes('remove')) return `this device may not remove members of ${lib.config.name}: only a device that may remove does${ask(others('remove'))}`;
  const target = view.members.get(device.key);
  const name = target?.name ?? device.name;
  const founder = founderOf(memberFacts(lib), self.key) === device.key;
  if (!founder && !target?.rights.includes('admit')) return undefined;
  if (mine.includes('admit')) return undefined;
  return `this device may not remove ${name} from ${lib.config.name}: ${name} ${founder ? 'made the library' : 'may let others in'}, and only a device that may admit removes it${ask(others('admit'))}`;
}

/**
 * What an admission of the device with KEY into LIB made by the device with SELFKEY says besides
 * who and when: the removals of it that it undoes (`over`: it is paired again), and the library's
 * founder as this device knows it.
 */
export function admissionTerms(lib: Library, key: string, selfKey: string): AdmissionTerms {
  const facts = memberFacts(lib);
  const founder = founderOf(facts, selfKey);
  return { over: facts.filter((f) => f.body.kind === 'remove' && f.body.member.key === key).map((f) => f.id), ...(founder !== undefined ? { founder } : {}) };
}

/**
 * SELF sets what DEVICE may do in LIB from now on (`vss devices rights`, issue 46): a grant signed
 * with SELF's key, recorded in the library's shared data. Only a device that may admit grants:
 * refused here otherwise, as every member would count it for nothing. Returns the grant's rights.
 */
export function recordRights(trust: PairedDevices, lib: Library, self: MemberSide, privateKeyPem: string, device: { uuid: string; key: string }, rights: readonly Right[], at = new Date()): Right[] {
  const view = membershipHere(trust, lib, self);
  const mine = view.members.get(self.key);
  if (!mine?.rights.includes('admit')) {
    const admitters = [...view.members.values()].filter((m) => m.rights.includes('admit')).map((m) => m.name);
    throw new VssError('POLICY', `this device may not set what others may do in ${lib.config.name}: only a device that may admit does${admitters.length > 0 ? ` (${admitters.join(', ')})` : ''}`);
  }
  if (device.key === self.key) throw new VssError('USAGE', 'a device does not set what it may do itself: ask another device that may admit');
  const member = view.members.get(device.key);
  if (!member) throw new VssError('NOT_FOUND', `${device.uuid} is not a member of ${lib.config.name}`);
  const body = rightsBody(lib.config.id, at.toISOString(), self, { uuid: member.uuid, name: member.name, key: member.key }, rights);
  recordMember(lib, { body, sig_by: signMemberBody(body, privateKeyPem), sig_member: null });
  return (JSON.parse(body) as { rights: Right[] }).rights;
}

/**
 * What DEVICE may do in LIB as this device (SELF) sees it; given RIGHTS, set first by a grant
 * signed with SELF's key (`recordRights`). Undefined: DEVICE is not a member of LIB here.
 * `vss devices rights`, with the daemon and without.
 */
export function rightsHere(trust: PairedDevices, lib: Library, self: MemberSide, privateKeyPem: () => string, device: { uuid: string; key: string }, rights?: readonly Right[]): { library_id: string; library: string; rights: Right[] } | undefined {
  const now = rights !== undefined ? recordRights(trust, lib, self, privateKeyPem(), device, rights) : membershipHere(trust, lib, self).members.get(device.key)?.rights;
  return now === undefined ? undefined : { library_id: lib.config.id, library: lib.config.name, rights: now };
}
