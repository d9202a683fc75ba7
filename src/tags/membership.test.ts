import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { memberRecordId, type MemberBody } from './member-record.js';
import { membership, staleSignature, type MemberFact } from './membership.js';

const LIB = '11111111-1111-4111-8111-111111111111';
const dev = (i: number) => ({ uuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, name: `D${i}`, key: `key-${i}` });
const at = (t: number | string) => (typeof t === 'string' ? t : new Date(Date.UTC(2026, 10, 1) + t * 1000).toISOString());
const fact = (body: MemberBody): MemberFact => ({ id: memberRecordId(JSON.stringify(body)), body });
const admit = (by: number, member: number, t: number | string, over: string[] = []) => fact({ v: 1, kind: 'admit', library: LIB, at: at(t), by: dev(by), member: dev(member), over });
const remove = (by: number, member: number, t: number, keeps: string[] = []) => fact({ v: 1, kind: 'remove', library: LIB, at: at(t), by: dev(by), member: { uuid: dev(member).uuid, key: dev(member).key }, keeps });
/** The records device I signed among FACTS: what an honest remover holds and keeps. */
const signedBy = (facts: MemberFact[], i: number) => facts.filter((f) => f.body.by.key === dev(i).key || (f.body.kind === 'admit' && f.body.member.key === dev(i).key)).map((f) => f.id);
const removalsOf = (facts: MemberFact[], i: number) => facts.filter((f) => f.body.kind === 'remove' && f.body.member.key === dev(i).key).map((f) => f.id);
const rootsOf = (...ids: number[]) => new Map(ids.map((i) => [dev(i).key, { uuid: dev(i).uuid, name: dev(i).name }]));
const NOW = Date.UTC(2026, 10, 2);
const memberIds = (facts: MemberFact[], roots: number[]) => [...membership(facts, rootsOf(...roots), NOW).members.values()].map((m) => Number(m.name.slice(1))).sort((a, b) => a - b);

/**
 * A library's honest history as a model: a member lets a device in (a pairing; one removed before
 * comes back, its admission naming the removals it undoes), or removes another (keeping the
 * records the removed one signed, as every member that heard them holds). The model's truth: who
 * is in now. Steps are drawn from the moves possible at each point, so removals and comebacks
 * happen often.
 */
function play(steps: Array<{ remove: boolean; a: number; b: number }>): { facts: MemberFact[]; truth: Set<number> } {
  const truth = new Set([0]); // device 0 made the library
  const facts: MemberFact[] = [];
  steps.forEach((s, t) => {
    const members = [...truth];
    const by = members[s.a % members.length]!;
    if (s.remove) {
      const who = members.filter((m) => m !== by);
      if (who.length === 0) return;
      const gone = who[s.b % who.length]!;
      facts.push(remove(by, gone, t, signedBy(facts, gone)));
      truth.delete(gone);
    } else {
      const out = [0, 1, 2, 3, 4, 5].filter((d) => !truth.has(d));
      if (out.length === 0) return;
      const who = out[s.b % out.length]!;
      facts.push(admit(by, who, t, removalsOf(facts, who)));
      truth.add(who);
    }
  });
  return { facts, truth };
}
const steps = fc.array(fc.record({ remove: fc.boolean(), a: fc.nat(99), b: fc.nat(99) }), { minLength: 3, maxLength: 30 });

describe('membership: who the members of a library are, from its signed records', () => {
  it('follows any honest history — joins, removals, comebacks — seen from any member, in any order the records come', () => {
    fc.assert(fc.property(steps, fc.nat(99), fc.func(fc.integer()), (s, v, order) => {
      const { facts, truth } = play(s);
      const viewer = [...truth][v % truth.size]!;
      const shuffled = [...facts].sort((a, b) => order(a) - order(b));
      assert.deepEqual(memberIds(shuffled, [viewer]), [...truth].sort((a, b) => a - b));
    }), { numRuns: 500 });
  });

  it('never lets in a device that only strangers vouch for, nor counts a stranger\'s removal', () => {
    fc.assert(fc.property(steps, fc.nat(99), fc.array(fc.tuple(fc.integer({ min: 20, max: 25 }), fc.integer({ min: 20, max: 25 })), { maxLength: 6 }), (s, v, forged) => {
      const { facts, truth } = play(s);
      const viewer = [...truth][v % truth.size]!;
      const extra = forged.filter(([a, b]) => a !== b).map(([a, b], i) => admit(a, b, 100 + i));
      const got = memberIds([...facts, ...extra, ...[...truth].map((m, i) => remove(20, m, 200 + i))], [viewer]);
      assert.deepEqual(got, [...truth].sort((a, b) => a - b));
    }), { numRuns: 200 });
  });

  it('keeps the devices a removed member admitted before its removal', () => {
    const a1 = admit(0, 1, 1);
    const a2 = admit(1, 2, 2);
    const facts = [a1, a2, remove(0, 1, 3, [a1.id, a2.id])];
    assert.deepEqual(memberIds(facts, [0]), [0, 2]);
    assert.deepEqual(memberIds(facts, [2]), [0, 2], 'the same seen from a device the removed one admitted');
    assert.equal(membership(facts, rootsOf(0), NOW).removed.get(dev(1).key)?.by, dev(0).uuid);
  });

  it('a device removed, paired again, and removed again is out; paired again, it may remove others', () => {
    const a1 = admit(0, 1, 1);
    const r1 = remove(0, 1, 2, [a1.id]);
    const a2 = admit(0, 1, 3, [r1.id]);
    assert.deepEqual(memberIds([a1, r1, a2], [0]), [0, 1], 'back by an admission naming its removal');
    assert.deepEqual(memberIds([a1, r1, admit(0, 1, 3)], [0]), [0], 'an admission that does not name the removal brings nothing back');
    assert.deepEqual(memberIds([a1, r1, a2, remove(0, 1, 4, [a1.id, a2.id])], [0]), [0]);
    const a3 = admit(0, 2, 4);
    assert.deepEqual(memberIds([a1, r1, a2, a3, remove(1, 2, 5, [a3.id])], [0]), [0, 1]);
  });

  it('names each member by the newest name the records give, and who admitted it', () => {
    const renamed = fact({ ...admit(1, 2, 5).body, by: { ...dev(1), name: 'Laptop' } } as MemberBody);
    const view = membership([admit(0, 1, 1), renamed], rootsOf(2), NOW);
    const one = [...view.members.values()].find((m) => m.uuid === dev(1).uuid)!;
    assert.equal(one.name, 'Laptop');
    assert.equal(one.admitted_by, dev(0).uuid, 'reached through the device it admitted, but admitted by device 0');
  });
});

describe('membership, read adversarially: a removed device signing on', () => {
  // 0 made the library and admitted 1 and 2; 0 removes 1 at t=10, keeping what 1 had signed. 1
  // goes on signing (a lost laptop in a thief's hands) and gets its records to a member.
  const a1 = admit(0, 1, 1);
  const a2 = admit(0, 2, 2);
  const history = [a1, a2, remove(0, 1, 10, [a1.id])];

  it('a key it mints and admits after its removal lets in no one and removes no one; dated before, a member that holds the removal refuses them as they come', () => {
    const forged = [admit(1, 9, 11), remove(9, 0, 12)];
    assert.deepEqual(memberIds([...history, ...forged], [2]), [0, 2], 'seen from device 2');
    assert.deepEqual(memberIds([...history, ...forged], [0]), [0, 2], 'seen from device 0 itself');
    // The key it admits "before" its removal is void all the same (its remover did not hold that record).
    assert.deepEqual(memberIds([...history, admit(1, 9, 9)], [2]), [0, 2]);
    assert.equal(staleSignature(admit(1, 9, 9), history), true);
  });

  it('its removal of the device that removed it, dated after, counts for nothing; dated before, a member that holds the removal refuses it as it comes', () => {
    assert.deepEqual(memberIds([...history, remove(1, 0, 11)], [2]), [0, 2]);
    const backdated = remove(1, 0, 9);
    assert.equal(staleSignature(backdated, history), true, 'refused by a member that holds the removal');
    assert.equal(staleSignature(admit(0, 1, 12, [history[2]!.id]), history), false, 'an admission bringing it back is taken');
    assert.equal(staleSignature(a2, history), false);
  });

  it('an admission dated far in the future is no evidence (it would outlast any removal)', () => {
    assert.deepEqual(memberIds([admit(0, 1, '9999-12-31T23:59:59.999Z')], [0]), [0]);
  });

  it('works out a chain of 4000 records dated backwards (one batch a member may send)', () => {
    const n = 4000;
    const facts: MemberFact[] = [];
    for (let i = 0; i < n; i++) facts.push(admit(i, i + 1, n - i));
    // Each key is visited once (a pass over every record until none grew took a pass per link of this chain: n²).
    assert.equal(membership(facts, rootsOf(0), NOW).members.size, n + 1);
  });
});
