import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Installation } from '../library/installation.js';
import type { Library } from '../library/library.js';
import type { PersonRecord } from '../store/people.js';
import { SharedData } from '../tags/shared-data.js';
import { checkOp } from '../tags/shared-op.js';
import { tempDir } from '../../test/helpers.js';
import { syntheticFaces } from '../../test/support/synthetic-faces.js';
import { faceIdOf, autoPersonIdOf } from './ids.js';
import { mergeResolver, runPeoplePass } from './people-pass.js';
import { PeopleBook } from './people-book.js';

const content = (k: number) => `00000000-0000-4000-8000-${k.toString(16).padStart(12, '0')}`;

/** Three people of four faces each, one face a content, put into LIB's faces in ORDER. */
function seedFaces(lib: Library, order: readonly number[]): void {
  const s = syntheticFaces(3, 4, 17);
  for (const i of order) {
    const descriptor = Buffer.from(s.vectors.slice(i * 128, (i + 1) * 128).buffer);
    lib.store.faces.replaceContent(content(i), [{ face_id: faceIdOf(content(i), 0), content_uuid: content(i), idx: 0, x: 0.1, y: 0.1, w: 0.2, h: 0.2, score: 0.99, clusterable: 1, quality: null, descriptor }]);
  }
}

const whoIs = (lib: Library) => Object.fromEntries(Array.from({ length: 12 }, (_, i) => [i, lib.store.faces.get(faceIdOf(content(i), 0))!.person_id]));

describe('the people pass (real library databases)', () => {
  const tmp = tempDir('vss-people-pass-');
  const install = new Installation({ dataDir: join(tmp.path, 'data') });
  const a = install.createLibrary('A', join(tmp.path, 'a'));
  const b = install.createLibrary('B', join(tmp.path, 'b'));
  const c = install.createLibrary('C', join(tmp.path, 'c'));
  after(() => {
    a.close();
    b.close();
    c.close();
    tmp.cleanup();
  });

  it('two devices given the same faces in another order find the same people, with ids derived from their faces', () => {
    seedFaces(a, Array.from({ length: 12 }, (_, i) => i));
    seedFaces(b, [7, 2, 11, 0, 5, 9, 1, 4, 10, 3, 8, 6]);
    const ra = runPeoplePass(a);
    runPeoplePass(b);
    assert.equal(ra.people, 3);
    assert.deepEqual(whoIs(b), whoIs(a));
    const lowest = [0, 4, 8].map((first) => Array.from({ length: 4 }, (_, k) => faceIdOf(content(first + k), 0)).sort()[0]!);
    assert.deepEqual(new Set(Object.values(whoIs(a))), new Set(lowest.map(autoPersonIdOf)));
    assert.equal(a.store.faces.isDirty(), false);
    assert.equal(runPeoplePass(a).changed, 0, 'a second pass moves nothing');
  });

  it('a name, a merge and a face put with nobody on one device are the same on the other once its operations come', () => {
    const book = new PeopleBook(a);
    const first = whoIs(a)[0]!;
    const second = whoIs(a)[4]!;
    book.name(first, 'Ana');
    book.merge([first, second]);
    book.assign(faceIdOf(content(8), 0), 'none');
    const ops = new SharedData(a).since(0).ops;
    const r = new SharedData(b).receive(ops, a.device.uuid);
    assert.deepEqual(r.refused, []);
    runPeoplePass(b);
    runPeoplePass(a);
    assert.deepEqual(whoIs(b), whoIs(a));
    assert.equal(whoIs(b)[4], first, 'the merged person is shown as the one it joined');
    assert.equal(whoIs(b)[8], null);
    assert.deepEqual(new PeopleBook(b).list().map((p) => [p.name, p.faces]), [['Ana', 8], [null, 3]]);
  });

  it('a named person whose anchor face is split out or put elsewhere keeps the name on the faces that stay', () => {
    seedFaces(c, Array.from({ length: 12 }, (_, i) => i));
    runPeoplePass(c);
    const book = new PeopleBook(c);
    const dora = whoIs(c)[0]!;
    book.name(dora, 'Dora');
    const anchor = c.store.people.get(dora)!.anchor;
    const split = book.split(dora, [anchor]);
    runPeoplePass(c);
    assert.equal(split.faces, 1);
    const named = book.list().find((p) => p.name === 'Dora')!;
    assert.equal(named.person_id, dora);
    assert.equal(named.faces, 3, 'the three faces that stayed are still Dora');
    const next = c.store.people.get(dora)!.anchor;
    assert.notEqual(next, anchor);
    book.assign(next, 'none');
    runPeoplePass(c);
    assert.equal(book.list().find((p) => p.name === 'Dora')?.faces, 2);
    // A name only changes no one's faces: the pass is not due.
    book.name(dora, 'Dora B');
    assert.equal(c.store.faces.isDirty(), false);
  });

  it('two devices merging two people each into the other end at the lower id alike', () => {
    const rec = (id: string, into: string): PersonRecord => ({ person_id: id, anchor: '', anchor_hlc: '', name: null, name_hlc: '', hidden: 0, hidden_hlc: '', merged_into: into, merged_hlc: 'x' });
    const x = content(1);
    const y = content(2);
    const resolve = mergeResolver([rec(y, x), rec(x, y)]);
    assert.equal(resolve(x), x);
    assert.equal(resolve(y), x);
  });

  it('a person or face operation from a peer is checked field by field', () => {
    const hlc = (new SharedData(a).since(0).ops[0] as { hlc: string }).hlc;
    const ok = { hlc, record: 'person', id: content(1), set: { name: 'Ana', hidden: false } };
    assert.ok(!('refused' in checkOp(ok)));
    assert.match((checkOp({ ...ok, set: { name: ' Ana' } }) as { refused: string }).refused, /name/);
    assert.match((checkOp({ ...ok, set: { merged_into: content(1) } }) as { refused: string }).refused, /another person/);
    assert.match((checkOp({ ...ok, set: { age: 3 } }) as { refused: string }).refused, /no field/);
    assert.match((checkOp({ ...ok, set: {} }) as { refused: string }).refused, /says nothing/);
    assert.match((checkOp({ ...ok, record: 'face', set: { person: 'Ana' } }) as { refused: string }).refused, /not a person/);
    assert.ok(!('refused' in checkOp({ ...ok, record: 'face', set: { person: '' } })));
    assert.ok(!('refused' in checkOp({ ...ok, record: 'face', set: { person: null } })));
  });
});
