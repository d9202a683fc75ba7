import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Installation } from '../library/installation.js';
import type { Library } from '../library/library.js';
import { addLocation, scanLocation } from '../locations/locations.js';
import { TagBook } from '../tags/tag-book.js';
import { setMeta } from '../tags/user-meta.js';
import { tempDir } from '../../test/helpers.js';
import { contentUuidAt } from '../../test/support/entries.js';
import { indexPending } from './search-index.js';
import { parseQuery } from './search-filters.js';
import { searchLibrary } from './search-query.js';

describe('parseQuery', () => {
  it('takes tag:, is: and rating: out of the words', () => {
    assert.deepEqual(parseQuery('boat tag:Dubrovnik is:favorite rating:>=4 trip'), {
      words: 'boat trip', tags: ['Dubrovnik'], people: [], favorite: true, rating: { op: '>=', value: 4 },
    });
    assert.deepEqual(parseQuery('tag:"taxes 2024" IS:Hidden rating:3'), { words: '', tags: ['taxes 2024'], people: [], hidden: true, rating: { op: '=', value: 3 } });
    assert.deepEqual(parseQuery('colour:red 12:30'), { words: 'colour:red 12:30', tags: [], people: [] });
    assert.deepEqual(parseQuery('person:Ana person:"Ben Horvat" beach'), { words: 'beach', tags: [], people: ['Ana', 'Ben Horvat'] });
  });

  it('takes album:, place:, device:, date: and kind: out of the words (issue 32)', () => {
    assert.deepEqual(parseQuery('album:"Summer 2024" place:"New York" device:Laptop date:2024-06 kind:photos sunset'), {
      words: 'sunset', tags: [], people: [], albums: ['Summer 2024'], places: ['New York'], devices: ['Laptop'],
      dates: [{ from: '2024-06-01', to: '2024-06-31' }], kind: 'image',
    });
    assert.deepEqual(parseQuery('date:2023..2024-02 date:..2020').dates, [{ from: '2023-01-01', to: '2024-02-31' }, { from: '0000-01-01', to: '2020-12-31' }]);
    assert.equal(parseQuery('kind:VIDEO').kind, 'video');
  });

  it('refuses a filter that means nothing, saying the forms it takes', () => {
    assert.throws(() => parseQuery('date:2024-13'), /date:2024, date:2024-06/);
    assert.throws(() => parseQuery('date:2024..2023'), /ends before it starts/);
    assert.throws(() => parseQuery('date:..'), /is not a date/);
    assert.throws(() => parseQuery('kind:blue'), /kind:photo, kind:video/);
    assert.throws(() => parseQuery('kind:video kind:image'), /one kind/);
    assert.throws(() => parseQuery('album:'), /album: needs a name/);
    assert.throws(() => parseQuery('place:"--"'), /place: needs a name/);
    assert.throws(() => parseQuery('rating:9'), /rating:4, rating:>=4/);
    assert.throws(() => parseQuery('is:blue'), /is:favorite or is:hidden/);
    assert.throws(() => parseQuery('tag:'), /tag: needs a name/);
    assert.throws(() => parseQuery('person:'), /person: needs a name/);
  });
});

describe('search with tags, favourites and ratings (real library, real files)', () => {
  const tmp = tempDir('vss-search-filters-');
  let lib: Library;
  const uuid = (name: string) => contentUuidAt(lib, name)!;
  const found = (q: string, kind?: string) => searchLibrary(lib, q, kind ? { kind } : {}).map((r) => r.paths[0]!.split('/').pop()).sort();

  before(async () => {
    const tree = join(tmp.path, 'tree');
    mkdirSync(tree, { recursive: true });
    for (const [name, text] of [['boat trip.txt', 'one'], ['old town.txt', 'two'], ['taxes 2024.txt', 'three'], ['beach boat.txt', 'four'], ['secret boat.txt', 'five']]) {
      writeFileSync(join(tree, name!), text!);
    }
    lib = new Installation({ dataDir: join(tmp.path, 'data') }).createLibrary('S', join(tmp.path, 'lib'));
    await scanLocation(lib, addLocation(lib, tree, { mode: 'content' }).id);
    await indexPending(lib);
    const tags = new TagBook(lib);
    tags.create('Places');
    tags.create('Croatia', { parent: 'Places' });
    tags.create('Dubrovnik', { parent: 'Croatia' });
    tags.add('Dubrovnik', [uuid('boat trip.txt'), uuid('old town.txt'), uuid('secret boat.txt')]);
    tags.add('Places', [uuid('beach boat.txt')]);
    tags.add('taxes', [uuid('taxes 2024.txt')]);
    setMeta(lib, [uuid('boat trip.txt'), uuid('taxes 2024.txt')], { favorite: true });
    setMeta(lib, [uuid('boat trip.txt')], { rating: 5 });
    setMeta(lib, [uuid('old town.txt')], { rating: 3 });
    setMeta(lib, [uuid('secret boat.txt')], { hidden: true, rating: 4 });
  });
  after(() => {
    lib.close();
    tmp.cleanup();
  });

  it('tag: finds the tag and every tag beneath it; hidden contents stay out unless asked for', () => {
    assert.deepEqual(found('tag:Dubrovnik'), ['boat trip.txt', 'old town.txt']);
    assert.deepEqual(found('tag:places'), ['beach boat.txt', 'boat trip.txt', 'old town.txt']);
    assert.deepEqual(found('tag:Croatia is:hidden'), ['secret boat.txt']);
    assert.deepEqual(found('tag:Nowhere'), []);
    assert.deepEqual(new Set(searchLibrary(lib, 'tag:places').map((r) => r.source)), new Set(['filters']), 'filters alone match no text, and say so');
    assert.deepEqual(new Set(searchLibrary(lib, 'boat tag:places').map((r) => r.source)), new Set(['name']));
  });

  it('is:favorite and rating: alone, together, and with words', () => {
    assert.deepEqual(found('is:favorite'), ['boat trip.txt', 'taxes 2024.txt']);
    assert.deepEqual(found('rating:>=3'), ['boat trip.txt', 'old town.txt']);
    assert.deepEqual(found('rating:<3'), ['beach boat.txt', 'taxes 2024.txt']);
    assert.deepEqual(found('is:favorite rating:5'), ['boat trip.txt']);
    assert.deepEqual(found('boat tag:Places'), ['beach boat.txt', 'boat trip.txt']);
    assert.deepEqual(found('boat'), ['beach boat.txt', 'boat trip.txt'], 'a hidden content is left out of a plain search too');
    assert.deepEqual(found('boat is:hidden'), ['secret boat.txt']);
    assert.deepEqual(found('tag:taxes tag:Places'), [], 'every tag: must be met');
    assert.deepEqual(found('is:favorite', 'image'), []);
  });

  it('a tag moved, made or deleted after a search is seen by the next search, whichever connection changed it', () => {
    assert.deepEqual(found('tag:taxes'), ['taxes 2024.txt']);
    const tags = new TagBook(lib);
    tags.change('taxes', { parent: 'Croatia' });
    assert.deepEqual(found('tag:Croatia'), ['boat trip.txt', 'old town.txt', 'taxes 2024.txt']);
    // Another connection to the same library (the CLI while a daemon searches).
    const other = new Installation({ dataDir: join(tmp.path, 'data') }).openLibrary(lib.root, { shared: true });
    try {
      new TagBook(other).change('taxes', { parent: null });
      assert.deepEqual(found('tag:Croatia'), ['boat trip.txt', 'old town.txt']);
      new TagBook(other).create('Old town', { parent: 'Dubrovnik' });
      new TagBook(other).add('Old town', [uuid('beach boat.txt')]);
      assert.deepEqual(found('tag:Croatia'), ['beach boat.txt', 'boat trip.txt', 'old town.txt']);
      new TagBook(other).delete('Dubrovnik');
      assert.deepEqual(found('tag:Croatia'), ['beach boat.txt'], 'the tag beneath a deleted tag moved up to its parent');
    } finally {
      other.close();
    }
  });
});
