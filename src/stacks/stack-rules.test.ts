import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { proposeStacks, type Shot } from './stack-rules.js';
import { effectiveStacks } from './effective-stacks.js';
import { isRawMime } from '../content/raw-formats.js';
import type { StackMemberRow } from '../store/stacks.js';

const U = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const T0 = Date.UTC(2025, 5, 1, 10, 0, 0);

function shot(n: number, name: string, mime: string, taken: number | null, extra: Partial<Shot> = {}): Shot {
  return { content_uuid: U(n), name, mime, taken_ms: taken, sub_second: false, camera: '', ...extra };
}

const sortP = (ps: ReturnType<typeof proposeStacks>) => [...ps].sort((a, b) => (a.key < b.key ? -1 : 1));

describe('stack rules', () => {
  it('a RAW and its JPEG of the same base name within a second are one stack, the JPEG its cover', () => {
    const p = proposeStacks([shot(1, 'DSC_0001.NEF', 'image/x-nikon-nef', T0), shot(2, 'DSC_0001.JPG', 'image/jpeg', T0 + 400), shot(3, 'DSC_0002.JPG', 'image/jpeg', T0)]);
    assert.deepEqual(p, [{ kind: 'raw+jpeg', key: `raw+jpeg:${U(1)}`, members: [U(1), U(2)], cover: U(2) }]);
  });

  it('a RAW and a JPEG of the same name taken apart are two photos; an unknown time lets the name decide', () => {
    assert.deepEqual(proposeStacks([shot(1, 'a.cr3', 'image/x-canon-cr3', T0), shot(2, 'a.jpg', 'image/jpeg', T0 + 5000)]), []);
    assert.equal(proposeStacks([shot(1, 'a.cr3', 'image/x-canon-cr3', T0), shot(2, 'A.JPG', 'image/jpeg', null)]).length, 1);
  });

  it('bursts: Apple burst ids, Android and Samsung names, one camera under a second apart', () => {
    const apple = proposeStacks([shot(1, 'IMG_1.HEIC', 'image/heic', T0, { burst_uuid: 'B1' }), shot(2, 'IMG_2.HEIC', 'image/heic', T0 + 100, { burst_uuid: 'b1' }), shot(3, 'IMG_3.HEIC', 'image/heic', T0 + 200)]);
    assert.deepEqual(apple.map((p) => [p.kind, p.members, p.cover]), [['burst', [U(1), U(2)], U(1)]]);
    const pixel = proposeStacks([
      shot(4, '00000IMG_00000_BURST20201010101010123.jpg', 'image/jpeg', null),
      shot(5, '00001IMG_00001_BURST20201010101010123_COVER.jpg', 'image/jpeg', null),
      shot(6, '00002IMG_00002_BURST20201010101010123.jpg', 'image/jpeg', null),
    ]);
    assert.deepEqual(pixel.map((p) => [p.members, p.cover]), [[[U(4), U(5), U(6)], U(5)]]);
    const samsung = proposeStacks([shot(7, '20200101_120000_001.jpg', 'image/jpeg', null), shot(8, '20200101_120000_002.jpg', 'image/jpeg', null), shot(9, '20200101_120005.jpg', 'image/jpeg', null)]);
    assert.deepEqual(samsung.map((p) => p.members), [[U(7), U(8)]]);
    const cam = { sub_second: true, camera: 'SONY ILCE-7M3' };
    const timed = proposeStacks([
      shot(10, 'a.jpg', 'image/jpeg', T0, cam), shot(11, 'b.jpg', 'image/jpeg', T0 + 300, cam), shot(12, 'c.jpg', 'image/jpeg', T0 + 900, cam),
      shot(13, 'd.jpg', 'image/jpeg', T0 + 2500, cam), shot(14, 'e.jpg', 'image/jpeg', T0 + 2600, { ...cam, camera: 'Canon' }),
      shot(15, 'f.jpg', 'image/jpeg', T0 + 2700, { camera: 'SONY ILCE-7M3' }),
    ]);
    assert.deepEqual(timed.map((p) => p.members), [[U(10), U(11), U(12)]], 'd is 1.6 s later; e another camera; f without sub-seconds');
    // An interval shoot (a frame each half second for a minute) is no burst; keys do not depend on which frames a device has.
    const lapse = Array.from({ length: 120 }, (_, i) => shot(100 + i, `T_${i}.jpg`, 'image/jpeg', T0 + i * 500, cam));
    assert.deepEqual(proposeStacks(lapse), []);
    const part = proposeStacks([shot(10, 'a.jpg', 'image/jpeg', T0, cam), shot(11, 'b.jpg', 'image/jpeg', T0 + 300, cam)]);
    assert.equal(part[0]!.key, timed[0]!.key, 'two devices with some frames each name the burst alike');
    assert.equal(proposeStacks([shot(8, '20200101_120000_002.jpg', 'image/jpeg', null), shot(20, '20200101_120000_003.jpg', 'image/jpeg', null)])[0]!.key, samsung[0]!.key);
  });

  // A content's bytes are one type: its extension (and so its mime) is chosen by its number.
  const EXTS = [['jpg', 'image/jpeg'], ['JPG', 'image/jpeg'], ['nef', 'image/x-nikon-nef'], ['CR3', 'image/x-canon-cr3'], ['heic', 'image/heic'], ['png', 'image/png']] as const;
  const shots = fc.array(
    fc.record({
      n: fc.integer({ min: 1, max: 40 }),
      stem: fc.constantFrom('IMG_1', 'IMG_2', 'DSC_3', '20200101_120000_001', '20200101_120000_002', 'x_BURST20201010101010123', 'x_BURST20201010101010123_COVER'),
      taken: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: null }),
      sub: fc.boolean(),
      camera: fc.constantFrom('', 'A', 'B'),
      burst: fc.option(fc.constantFrom('B1', 'B2'), { nil: undefined }),
    }),
    { maxLength: 14 },
  ).map((rs) => rs.map((r, i): Shot => {
    const [ext, mime] = EXTS[r.n % EXTS.length]!;
    return {
      content_uuid: U(r.n), name: `${r.stem}${i % 3 === 0 ? '' : `_${i}`}.${ext}`, mime, taken_ms: r.taken === null ? null : T0 + r.taken,
      sub_second: r.sub, camera: r.camera, ...(r.burst ? { burst_uuid: r.burst } : {}),
    };
  })).map((list) => {
    // What a file says is its content's (one content, one metadata); a name is one file of its folder.
    const first = new Map<string, Shot>();
    const names = new Set<string>();
    const out: Shot[] = [];
    for (const x of list) {
      if (names.has(x.name)) continue;
      names.add(x.name);
      const f = first.get(x.content_uuid) ?? first.set(x.content_uuid, x).get(x.content_uuid)!;
      const { burst_uuid, ...rest } = { ...x, taken_ms: f.taken_ms, sub_second: f.sub_second, camera: f.camera };
      void burst_uuid;
      out.push(f.burst_uuid ? { ...rest, burst_uuid: f.burst_uuid } : rest);
    }
    return out;
  });

  it('a content is in one stack at most, every stack has two or more, its cover among them; the order of the files changes nothing', () => {
    fc.assert(fc.property(shots, fc.infiniteStream(fc.nat()), (list, rnd) => {
      const p = proposeStacks(list);
      const seen = new Set<string>();
      for (const s of p) {
        assert.ok(s.members.length >= 2);
        assert.ok(s.members.includes(s.cover));
        for (const m of s.members) {
          assert.ok(!seen.has(m), `${m} in two stacks`);
          seen.add(m);
        }
        if (s.kind === 'raw+jpeg') {
          const mimes = s.members.map((m) => list.find((x) => x.content_uuid === m)!.mime);
          assert.equal(mimes.filter(isRawMime).length, 1, 'one RAW');
        }
      }
      const shuffled = list.map((x) => [rnd.next().value, x] as const).sort((a, b) => a[0] - b[0]).map((x) => x[1]);
      assert.deepEqual(sortP(proposeStacks(shuffled)), sortP(p));
    }));
  });
});

describe('stacks as they stand', () => {
  const rows = fc.array(
    fc.record({ s: fc.integer({ min: 1, max: 5 }), c: fc.integer({ min: 1, max: 12 }), known: fc.boolean(), cover: fc.option(fc.integer({ min: 1, max: 12 }), { nil: null }), kind: fc.constantFrom('burst', 'raw+jpeg') }),
    { maxLength: 30 },
  ).map((rs) => {
    // One stack's fields are the same on each of its rows (they come from its one row in `stacks`).
    const fields = new Map<number, { cover: number | null; kind: string }>();
    for (const r of rs) if (!fields.has(r.s)) fields.set(r.s, { cover: r.cover, kind: r.kind });
    const out: StackMemberRow[] = rs.map((r) => ({
      stack_uuid: U(1000 + r.s), kind: fields.get(r.s)!.kind, auto_cover: null,
      cover: fields.get(r.s)!.cover === null ? null : U(fields.get(r.s)!.cover!), content_uuid: U(r.c), known: r.known ? 1 : 0,
    }));
    return out.sort((a, b) => (a.stack_uuid < b.stack_uuid ? -1 : a.stack_uuid > b.stack_uuid ? 1 : a.content_uuid < b.content_uuid ? -1 : 1));
  });

  it('merged from any devices, a content stands in one stack, each of two or more known contents, its cover one of them', () => {
    fc.assert(fc.property(rows, (rs) => {
      const seen = new Set<string>();
      for (const s of effectiveStacks(rs)) {
        assert.ok(s.members.length >= 2);
        assert.ok(s.members.includes(s.cover));
        const own = rs.filter((r) => r.stack_uuid === s.stack_id);
        if (own[0]!.cover !== null && s.members.includes(own[0]!.cover)) assert.equal(s.cover, own[0]!.cover, 'the chosen cover, while it is a member');
        for (const m of s.members) {
          assert.ok(own.some((r) => r.content_uuid === m && r.known === 1), 'only its own known members');
          assert.ok(!seen.has(m));
          seen.add(m);
        }
      }
    }));
  });
});
