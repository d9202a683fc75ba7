import type { Library } from '../../library/library.js';
import { memberRecordId, removalBody, signMemberBody, type MemberRecord, type MemberSide } from '../../tags/member-record.js';
import { SharedData } from '../../tags/shared-data.js';
import { memberFacts } from './apply-membership.js';

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

/** The removals of the device with KEY in LIB: an admission that brings it back names them (`over`). */
export function removalsOf(lib: Library, key: string): string[] {
  return memberFacts(lib).filter((f) => f.body.kind === 'remove' && f.body.member.key === key).map((f) => f.id);
}
