import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { MemberBody } from '../../tags/member-record.js';
import { membership } from './membership.js';

const LIB = '11111111-1111-4111-8111-111111111111';
const dev = (i: number) => ({ uuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, name: `D${i}`, key: `key-${i}` });
const at = (t: number) => new Date(Date.UTC(2026, 10, 1) + t * 1000).toISOString();
const admit = (by: number, member: number, t: number): MemberBody => ({ v: 1, kind: 'admit', library: LIB, at: at(t), by: dev(by), member: dev(member) });
const remove = (by: number, member: number, t: number): MemberBody => ({ v: 1, kind: 'remove', library: LIB, at: at(t), by: dev(by), member: { uuid: dev(member).uuid, key: dev(member).key } });
const rootsOf = (...ids: number[]) => new Map(ids.map((i) => [dev(i).key, { uuid: dev(i).uuid, name: dev(i).name }]));
const memberIds = (facts: MemberBody[], roots: number[]) => [...membership(facts, rootsOf(...roots)).members.values()].map((m) => Number(m.name.slice(1))).sort((a, b) => a - b);

/**
 * A library's history as a model: devices join through a member (a pairing, signed both ways),
 * and members remove others. The model's truth: who joined and was not removed since.
 */
type Step = { t: 'join'; via: number; who: number } | { t: 'remove'; by: number; who: number };
const history = fc.array(
  fc.oneof(
    fc.record({ t: fc.constant('join' as const), via: fc.nat(7), who: fc.nat(7) }),
    fc.record({ t: fc.constant('remove' as const), by: fc.nat(7), who: fc.nat(7) }),
  ),
  { maxLength: 30 },
);

function play(steps: Step[]): { facts: MemberBody[]; truth: Set<number> } {
  const truth = new Set([0]); // device 0 made the library
  const facts: MemberBody[] = [];
  steps.forEach((s, t) => {
    if (s.t === 'join' && truth.has(s.via) && !truth.has(s.who)) {
      facts.push(admit(s.via, s.who, t));
      truth.add(s.who);
    }
    if (s.t === 'remove' && truth.has(s.by) && truth.has(s.who) && s.by !== s.who) {
      facts.push(remove(s.by, s.who, t));
      truth.delete(s.who);
    }
  });
  return { facts, truth };
}

describe('membership: who the members of a library are, from its signed records', () => {
  it('follows the library\'s history from any member that is still one, in any order the records come', () => {
    fc.assert(fc.property(history, fc.nat(7), fc.func(fc.integer()), (steps, viewer, order) => {
      const { facts, truth } = play(steps);
      fc.pre(truth.has(viewer));
      const shuffled = [...facts].sort((a, b) => order(a) - order(b) || (a.at < b.at ? -1 : 1));
      const got = memberIds(shuffled, [viewer]);
      assert.deepEqual(got, [...truth].sort((a, b) => a - b));
    }), { numRuns: 400 });
  });

  it('never lets in a device that only strangers vouch for', () => {
    fc.assert(fc.property(history, fc.array(fc.tuple(fc.integer({ min: 20, max: 25 }), fc.integer({ min: 20, max: 25 })), { maxLength: 6 }), (steps, forged) => {
      const { facts } = play(steps);
      const extra = forged.filter(([a, b]) => a !== b).map(([a, b], i) => admit(a, b, 100 + i));
      // A stranger's removal of a member counts for nothing either.
      const removals = [remove(20, 0, 200)];
      const got = memberIds([...facts, ...extra, ...removals], [0]);
      assert.ok(got.every((i) => i < 20), `strangers let in: ${got}`);
    }), { numRuns: 200 });
  });

  it('keeps the devices a removed member admitted before its removal, and ignores what it signs after', () => {
    const facts = [admit(0, 1, 1), admit(1, 2, 2), remove(0, 1, 3), admit(1, 3, 4)];
    assert.deepEqual(memberIds(facts, [0]), [0, 2]);
    assert.deepEqual(memberIds(facts, [2]), [0, 2], 'the same seen from a device the removed one admitted');
    const view = membership(facts, rootsOf(0));
    assert.equal(view.removed.get(dev(1).key)?.by, dev(0).uuid);
  });

  it('a removed device comes back by a newer admission; a removed member\'s removals after its own count for nothing', () => {
    assert.deepEqual(memberIds([admit(0, 1, 1), remove(0, 1, 2), admit(0, 1, 3)], [0]), [0, 1]);
    assert.deepEqual(memberIds([admit(0, 1, 1), admit(0, 2, 2), remove(0, 1, 3), remove(1, 2, 4)], [0]), [0, 2]);
  });

  it('names each member by the newest name the records give, and who admitted it', () => {
    const renamed = { ...admit(1, 2, 5), by: { ...dev(1), name: 'Laptop' } } as MemberBody;
    const view = membership([admit(0, 1, 1), renamed], rootsOf(2));
    const one = [...view.members.values()].find((m) => m.uuid === dev(1).uuid)!;
    assert.equal(one.name, 'Laptop');
    assert.equal(one.admitted_by, dev(0).uuid, 'reached through the device it admitted, but admitted by device 0');
  });
});
