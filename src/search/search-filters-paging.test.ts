import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Installation } from '../library/installation.js';
import type { Library } from '../library/library.js';
import type { MetadataFilter } from '../store/search.js';
import { SharedData, type UnstampedOp } from '../tags/shared-data.js';
import { effectiveParents, withDescendants } from '../tags/tag-tree.js';
import { tempDir } from '../../test/helpers.js';

/*
 * The filters' answer page by page, against the same question answered the slow, obvious way from
 * every row: many contents, tags in a tree (a `tag:` naming dozens of tags, most of them empty or
 * sparse), tombstones, favourites, hidden contents, contents that left the library. The tag merge
 * reads each tag's list a few at a time; a content on the far side of one round's horizon must
 * come in a later round, whichever tag holds it and however few rows that tag had.
 */
/** The same numbers every run (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('tag:, is:favorite and rating: filters, page by page (many tags and contents)', () => {
  const tmp = tempDir('vss-filter-paging-');
  let lib: Library;
  const uuid = (kind: number, i: number) => `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
  const hex = (rand: () => number) => Math.floor(rand() * 0xffffffff).toString(16).padStart(8, '0');
  const contents: string[] = [];
  const gone = new Set<string>();
  let root = '';
  let sparse = '';

  before(() => {
    lib = new Installation({ dataDir: join(tmp.path, 'data') }).createLibrary('P', join(tmp.path, 'lib'));
    const rand = seeded(7);
    // Random uuids, so each tag's contents interleave with every other's.
    for (let i = 0; i < 600; i++) contents.push(`${hex(rand)}-${hex(rand).slice(0, 4)}-4000-8000-${hex(rand)}${hex(rand).slice(0, 4)}`);
    const held = contents.filter((_, i) => i % 50 !== 7); // a few carry tags but are in no library any more
    for (const c of contents) if (!held.includes(c)) gone.add(c);
    lib.store.contents.addMany(held.map((c, i) => ({ uuid: c, cas_id: `cas${i}`, cas_version: 1, kind: i % 3 === 0 ? 'video' : 'image', mime: 'image/jpeg', size: 1 })), Date.now());
    // A tree: root → 40 children → 2 grandchildren each; most tags sparse, one tag holding a single content.
    const ops: UnstampedOp[] = [];
    root = uuid(1, 0);
    ops.push({ record: 'tag', id: root, set: { name: 'root', parent: null } });
    const tags: string[] = [root];
    for (let k = 1; k <= 40; k++) {
      ops.push({ record: 'tag', id: uuid(1, k), set: { name: `child ${k}`, parent: root } });
      tags.push(uuid(1, k));
      for (let g = 0; g < 2; g++) {
        const id = uuid(2, k * 10 + g);
        ops.push({ record: 'tag', id, set: { name: `grandchild ${k}.${g}`, parent: uuid(1, k) } });
        tags.push(id);
      }
    }
    sparse = uuid(1, 99);
    ops.push({ record: 'tag', id: sparse, set: { name: 'sparse', parent: null } });
    for (const c of contents) {
      // Skewed: some tags carry many contents, most few.
      for (let n = Math.floor(rand() * 3); n > 0; n--) ops.push({ record: 'tagging', id: tags[Math.floor(rand() * rand() * tags.length)]!, content: c, set: { present: true } });
      if (rand() < 0.15) ops.push({ record: 'meta', id: c, set: { favorite: true } });
      if (rand() < 0.3) ops.push({ record: 'meta', id: c, set: { rating: 1 + Math.floor(rand() * 5) } });
      if (rand() < 0.05) ops.push({ record: 'meta', id: c, set: { hidden: true } });
    }
    ops.push({ record: 'tagging', id: sparse, content: contents[300]!, set: { present: true } });
    // Albums (issue 32): five, skewed as the tags are, one with a single content.
    for (let a = 0; a < 5; a++) ops.push({ record: 'album', id: uuid(3, a), set: { name: `album ${a}` } });
    for (const c of contents) if (rand() < 0.6) ops.push({ record: 'album_item', id: uuid(3, Math.floor(rand() * rand() * 4)), content: c, set: { present: true } });
    ops.push({ record: 'album_item', id: uuid(3, 4), content: contents[301]!, set: { present: true } });
    const shared = new SharedData(lib);
    shared.commit(ops);
    // Tombstones: a third of one busy tag's contents untagged again.
    const busy = lib.store.metadataTags.contentsOf(uuid(1, 1));
    shared.commit(busy.filter((_, i) => i % 3 === 0).map((c) => ({ record: 'tagging', id: uuid(1, 1), content: c, set: { present: false } })));
  });
  after(() => {
    lib.close();
    tmp.cleanup();
  });

  /** F's answer from every row, by uuid. */
  function expected(f: MetadataFilter): string[] {
    const tagged = new Map<string, Set<string>>();
    for (const m of lib.store.metadataTags.all()) if (m.present === 1) (tagged.get(m.content_uuid) ?? tagged.set(m.content_uuid, new Set()).get(m.content_uuid)!).add(m.tag_uuid);
    const meta = new Map(lib.store.userMetadata.all().map((u) => [u.content_uuid, u] as const));
    const inAlbum = new Map<string, Set<string>>();
    for (const i of lib.store.albumItems.all()) if (i.present === 1) (inAlbum.get(i.content_uuid) ?? inAlbum.set(i.content_uuid, new Set()).get(i.content_uuid)!).add(i.album_uuid);
    const cmp = { '>=': (a: number, b: number) => a >= b, '<=': (a: number, b: number) => a <= b, '=': (a: number, b: number) => a === b, '>': (a: number, b: number) => a > b, '<': (a: number, b: number) => a < b };
    return contents.filter((c) => {
      if (gone.has(c)) return false;
      const u = meta.get(c);
      if (f.tags.some((set) => !set.some((t) => tagged.get(c)?.has(t)))) return false;
      if ((f.albums ?? []).some((set) => !set.some((a) => inAlbum.get(c)?.has(a)))) return false;
      if (f.favorite !== undefined && (u?.favorite ?? 0) !== (f.favorite ? 1 : 0)) return false;
      if (f.hidden !== undefined && (u?.hidden ?? 0) !== (f.hidden ? 1 : 0)) return false;
      if (f.rating !== undefined && !cmp[f.rating.op](u?.rating ?? 0, f.rating.value)) return false;
      return true;
    }).sort();
  }

  /** F's answer as the store gives it, LIMIT at a time from AFTER. */
  function paged(f: MetadataFilter, limit: number): string[] {
    const out: string[] = [];
    for (let after = '', pages = 0; pages < 1000; pages++) {
      const rows = lib.store.search.filteredContents(f, limit, after);
      assert.ok(rows.length <= limit);
      out.push(...rows.map((r) => r.content_uuid));
      if (rows.length < limit) return out;
      after = rows.at(-1)!.content_uuid;
    }
    throw new Error('paging did not end');
  }

  const tree = (t: string) => [...withDescendants(t, effectiveParents(lib.store.tags.parents()))];

  it('tag: over a tree of dozens of sparse tags finds every content, in order, whatever the page size', () => {
    const filters: MetadataFilter[] = [
      { tags: [tree(root)], hidden: false },
      { tags: [tree(uuid(1, 1))], hidden: false },
      { tags: [tree(uuid(1, 40))] },
      { tags: [[sparse]], hidden: false },
      { tags: [tree(root)], hidden: true },
      { tags: [tree(root)], favorite: true, hidden: false },
      { tags: [tree(root), tree(uuid(1, 2))], hidden: false },
      { tags: [tree(uuid(1, 3)), tree(uuid(1, 1))], rating: { op: '>=', value: 3 }, hidden: false },
      { tags: [tree(root), [sparse]], hidden: false },
    ];
    for (const f of filters) {
      const want = expected(f);
      for (const limit of [1, 3, 7, 50, 500]) assert.deepEqual(paged(f, limit), want, `${JSON.stringify(f).slice(0, 120)}, ${limit} a page`);
    }
    assert.ok(expected(filters[0]!).length > 300, 'the tree names most contents');
  });

  it('album: alone, with tags and with user metadata finds every content, in order, whatever the page size', () => {
    const filters: MetadataFilter[] = [
      { tags: [], albums: [[uuid(3, 0)]], hidden: false },
      { tags: [], albums: [[uuid(3, 0), uuid(3, 1), uuid(3, 2)]], hidden: false },
      { tags: [], albums: [[uuid(3, 4)]] },
      { tags: [], albums: [[uuid(3, 0)], [uuid(3, 1)]], hidden: false },
      { tags: [tree(root)], albums: [[uuid(3, 0), uuid(3, 3)]], favorite: true, hidden: false },
      { tags: [tree(uuid(1, 2))], albums: [[uuid(3, 0)]], rating: { op: '>=', value: 2 }, hidden: false },
    ];
    for (const f of filters) {
      const want = expected(f);
      for (const limit of [1, 3, 50, 500]) assert.deepEqual(paged(f, limit), want, `${JSON.stringify(f).slice(0, 120)}, ${limit} a page`);
    }
    assert.ok(expected(filters[1]!).length > 100, 'three albums hold many contents');
  });

  it('is:favorite and rating: without tags, page by page', () => {
    for (const f of [{ tags: [], favorite: true, hidden: false }, { tags: [], rating: { op: '>=', value: 4 }, hidden: false }, { tags: [], rating: { op: '<', value: 2 }, hidden: false }] as MetadataFilter[]) {
      const want = expected(f);
      for (const limit of [1, 7, 50]) assert.deepEqual(paged(f, limit), want, `${JSON.stringify(f)}, ${limit} a page`);
    }
  });

  it('meeting keeps those of a list that meet the filters', () => {
    const f: MetadataFilter = { tags: [tree(uuid(1, 1))], favorite: true, hidden: false };
    const inLibrary = expected(f);
    const meet = lib.store.search.meeting(contents, f);
    assert.deepEqual([...meet].filter((c) => !gone.has(c)).sort(), inLibrary);
  });
});
