import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { memberRecordId, type MemberBody, type Right } from './member-record.js';
import { founderOf, membership, staleSignature, type MemberFact } from './membership.js';

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

describe('membership with rights: who may admit, remove and be relayed', () => {
  const ALL: Right[] = ['admit', 'remove', 'relay'];
  const FOUNDER = dev(0).key;
  const admitF = (by: number, member: number, t: number, over: string[] = []) => fact({ ...admit(by, member, t, over).body, founder: FOUNDER } as MemberBody);
  const grant = (by: number, member: number, t: number, rights: Right[]) => fact({ v: 1, kind: 'rights', library: LIB, at: at(t), by: dev(by), member: dev(member), rights });
  const view = (facts: MemberFact[], viewer: number) => membership(facts, rootsOf(viewer), NOW, founderOf(facts, dev(viewer).key));

  /**
   * A history with rights as a model: device 0 made the library and may do all; every other
   * device may remove and be relayed until a grant says otherwise; a member that may admit grants
   * any member any rights. A member that may not admit still pairs: the record is written (both
   * sign it) but lets no one into the library. A member removes another: the removal counts when
   * it may remove, and of the founder or a device that may admit, when it may admit too (N2);
   * otherwise the record is written all the same (an older vss, or a member forging it) and
   * changes nothing.
   */
  function playRights(steps: Array<{ kind: number; a: number; b: number; r: number }>) {
    const truth = new Set([0]);
    const rights = new Map<number, Right[]>([[0, ALL]]);
    const may = (d: number, r: Right) => (rights.get(d) ?? ['remove', 'relay']).includes(r);
    const facts: MemberFact[] = [];
    steps.forEach((s, t) => {
      const members = [...truth];
      const by = members[s.a % members.length]!;
      if (s.kind === 0) {
        const out = [0, 1, 2, 3, 4, 5].filter((d) => !truth.has(d));
        if (out.length === 0) return;
        const who = out[s.b % out.length]!;
        facts.push(admitF(by, who, t, removalsOf(facts, who)));
        if (may(by, 'admit')) truth.add(who);
      } else if (s.kind === 1) {
        const who = members.filter((m) => m !== by);
        if (who.length === 0) return;
        const gone = who[s.b % who.length]!;
        facts.push(remove(by, gone, t, signedBy(facts, gone)));
        const guarded = gone === 0 || may(gone, 'admit');
        if (may(by, 'remove') && (!guarded || may(by, 'admit'))) truth.delete(gone);
      } else {
        const who = members.filter((m) => m !== by);
        if (who.length === 0 || !may(by, 'admit')) return;
        const to = who[s.b % who.length]!;
        const set = ALL.filter((_, i) => (s.r >> i) & 1);
        facts.push(grant(by, to, t, set));
        rights.set(to, set);
      }
    });
    return { facts, truth, rights: (d: number) => (rights.get(d) ?? ['remove', 'relay']) };
  }
  const rightSteps = fc.array(fc.record({ kind: fc.nat(2), a: fc.nat(99), b: fc.nat(99), r: fc.nat(7) }), { minLength: 3, maxLength: 30 });

  it('follows any history with grants and removals made with or without the right, seen from any member, in any order: members and what each may do', () => {
    fc.assert(fc.property(rightSteps, fc.nat(99), fc.func(fc.integer()), (s, v, order) => {
      const { facts, truth, rights } = playRights(s);
      const viewer = [...truth][v % truth.size]!;
      const got = view([...facts].sort((a, b) => order(a) - order(b)), viewer);
      const ids = [...got.members.values()].map((m) => Number(m.name.slice(1))).sort((a, b) => a - b);
      assert.deepEqual(ids, [...truth].sort((a, b) => a - b));
      for (const m of got.members.values()) assert.deepEqual(m.rights, rights(Number(m.name.slice(1))), `what ${m.name} may do`);
    }), { numRuns: 500 });
  });

  it('a member that may not admit lets in no one — not a key it mints, not by granting itself — and its grants count for nothing', () => {
    fc.assert(fc.property(rightSteps, fc.nat(99), fc.nat(99), (s, v, w) => {
      const { facts, truth } = playRights(s);
      const members = [...truth];
      const viewer = members[v % members.length]!;
      const thief = members[w % members.length]!;
      const { rights } = playRights(s);
      if (rights(thief).includes('admit')) return;
      const t = 100;
      const forged = [
        grant(thief, 9, t, ALL), grant(9, thief, t + 1, ALL), grant(thief, thief, t + 1, ALL),
        admitF(thief, 9, t + 2), admitF(9, thief, t + 3), admitF(9, 8, t + 4), admitF(thief, 7, t + 5), grant(thief, thief === 0 ? 1 : 0, t + 6, []),
      ].filter((f) => f.body.by.key !== f.body.member.key);
      const got = view([...facts, ...forged], viewer);
      const ids = [...got.members.values()].map((m) => Number(m.name.slice(1))).filter((i) => i !== viewer || truth.has(i)).sort((a, b) => a - b);
      assert.deepEqual(ids, [...truth].sort((a, b) => a - b));
    }), { numRuns: 300 });
  });

  it('the founder is the one the admission that let a device in names; the device that made the library is its own', () => {
    const a1 = admitF(0, 1, 1);
    assert.equal(founderOf([a1], dev(1).key), FOUNDER);
    assert.equal(founderOf([a1], dev(0).key), dev(0).key);
    assert.equal(founderOf([admit(0, 1, 1)], dev(1).key), undefined, 'let in by a record from before rights: none (all may do all)');
    // A record naming another founder, made later (a thief pairing again), does not change it.
    assert.equal(founderOf([a1, fact({ ...admit(5, 1, 2).body, founder: dev(5).key } as MemberBody)], dev(1).key), FOUNDER);
  });

  it('a plain member removing the founder, or a device that may admit, counts for nothing: both stay, and the founder may then remove it', () => {
    const [a1, a2, a3, g3] = [admitF(0, 1, 1), admitF(0, 2, 2), admitF(0, 3, 3), grant(0, 3, 4, ALL)];
    const history = [a1, a2, a3, g3, remove(1, 0, 5, [a1.id]), remove(2, 3, 6, [a2.id])];
    for (const viewer of [0, 1, 2, 3]) {
      const got = view(history, viewer);
      assert.deepEqual([...got.members.values()].map((m) => m.name).sort(), ['D0', 'D1', 'D2', 'D3'], `seen from D${viewer}`);
      assert.equal(got.removed.size, 0);
    }
    const back = remove(0, 1, 7, [a1.id, history[4]!.id]);
    assert.deepEqual([...view([...history, back], 2).members.values()].map((m) => m.name).sort(), ['D0', 'D2', 'D3']);
    assert.equal(staleSignature(back, [history[4]!]), true, 'the raw check refuses it: the intake hands it only the removals that count');
    assert.equal(view(history, 2).mayRemove(history[4]!.body as Extract<MemberBody, { kind: 'remove' }>), false);
    assert.equal(view(history, 2).mayRemove(back.body as Extract<MemberBody, { kind: 'remove' }>), true);
    const demoted = [...history.slice(0, 4), grant(0, 3, 8, ['remove', 'relay']), remove(2, 3, 9, [a3.id, g3.id])];
    assert.deepEqual([...view(demoted, 0).members.values()].map((m) => m.name).sort(), ['D0', 'D1', 'D2'], 'once it may not admit, a plain member may remove it');
  });

  it('a grant stands on the rights its author had at its time: admissions made before a demotion stay, after it count for nothing', () => {
    const facts = [admitF(0, 1, 1), grant(0, 1, 2, ALL), admitF(1, 2, 3), grant(0, 1, 4, ['relay']), admitF(1, 3, 5)];
    const ids = [...view(facts, 0).members.values()].map((m) => m.name).sort();
    assert.deepEqual(ids, ['D0', 'D1', 'D2']);
    const one = [...view(facts, 0).members.values()].find((m) => m.name === 'D1')!;
    assert.deepEqual(one.rights, ['relay']);
  });
  it('a device that paired with a member that may not admit trusts that member alone, as the library trusts it not', () => {
    const facts = [admitF(0, 1, 1), admitF(0, 2, 2), admitF(1, 3, 3)];
    const names = (v: ReturnType<typeof membership>) => [...v.members.values()].map((m) => m.name).sort();
    const phone = membership(facts, rootsOf(3, 1), NOW, founderOf(facts, dev(3).key), dev(3).key);
    assert.deepEqual(names(phone), ['D1', 'D3'], 'not the founder nor the others it would dial in vain');
    assert.deepEqual(names(membership(facts, rootsOf(1, 0, 3), NOW, founderOf(facts, dev(1).key), dev(1).key)), ['D0', 'D1', 'D2', 'D3'], 'the desktop trusts its own pairing');
    assert.deepEqual(names(view(facts, 2)), ['D0', 'D1', 'D2']);
  });
});
