import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { GridDay, GridFilter } from '../../src/wire/browse.js';
import { importWebModule } from './web-module.js';

type Route = { view: 'library'; device?: string; filter?: GridFilter } | { view: 'missing'; hash: string };
interface RoutesModule { parseRoute(hash: string): Route; href(route: Route): string }
interface KindsModule { apiFilter(f: GridFilter): GridFilter; narrowed(f: GridFilter): boolean; OTHER_KINDS: string; KIND_CHOICES: ReadonlyArray<{ label: string; kinds: string | undefined }> }
interface Year { year: string; day: number; months: Array<{ month: number; day: number }> }
interface CalendarModule { calendarOf(days: readonly GridDay[]): { years: Year[]; undated: number | null } }

const routes = await importWebModule<RoutesModule>('routes.ts');
const kinds = await importWebModule<KindsModule>('grid-kinds.ts');
const calendar = await importWebModule<CalendarModule>('grid-calendar.ts');
const ALBUM = '550e8400-e29b-41d4-a716-446655440000';

describe('the photo grid\'s address and kinds (issue 32)', () => {
  it('reads and writes an album and the kinds shown; the commas stay as written', () => {
    const route: Route = { view: 'library', filter: { album: ALBUM, kinds: 'image,video' } };
    assert.equal(routes.href(route), `#/?album=${ALBUM}&kinds=image,video`);
    assert.deepEqual(routes.parseRoute(routes.href(route)), route);
    assert.deepEqual(routes.parseRoute('#/?kinds=all'), { view: 'library', filter: { kinds: 'all' } });
    // What cannot mean anything is left out (the daemon checks the kinds' names).
    assert.deepEqual(routes.parseRoute('#/?album=nope&kinds=<script>'), { view: 'library' });
  });

  it('asks the grid API for photos and videos unless told otherwise', () => {
    assert.deepEqual(kinds.apiFilter({}), { kinds: 'image,video' });
    assert.deepEqual(kinds.apiFilter({ kinds: 'all', tag: 't' }), { tag: 't' });
    assert.deepEqual(kinds.apiFilter({ kinds: 'document' }), { kinds: 'document' });
    assert.ok(kinds.OTHER_KINDS.split(',').includes('document'));
    assert.ok(!kinds.OTHER_KINDS.split(',').includes('image'));
    assert.equal(kinds.narrowed({ kinds: 'all' }), false);
    assert.equal(kinds.narrowed({ album: ALBUM }), true);
    assert.deepEqual(kinds.KIND_CHOICES.map((c) => c.label), ['Photos and videos', 'Other files', 'Everything']);
  });

  it('lists the years and months of the days, newest first, each at its first day, and where the undated start', () => {
    const days: GridDay[] = [
      { day: '2023-05-02', count: 3 }, { day: '2023-05-01', count: 1 }, { day: '2023-01-10', count: 2 },
      { day: '2021-07-14', count: 1 }, { day: null, count: 4 },
    ];
    assert.deepEqual(calendar.calendarOf(days), {
      years: [
        { year: '2023', day: 0, months: [{ month: 5, day: 0 }, { month: 1, day: 2 }] },
        { year: '2021', day: 3, months: [{ month: 7, day: 3 }] },
      ],
      undated: 4,
    });
    assert.deepEqual(calendar.calendarOf([]), { years: [], undated: null });
  });
});

describe('the grid\'s bulk send (issue 32)', () => {
  it('queues no more contents in a job than one send carries (the daemon\'s DROP_MAX_ITEMS)', async () => {
    const { SEND_CHUNK } = await importWebModule<{ SEND_CHUNK: number }>('send-bounds.ts');
    const { DROP_MAX_ITEMS } = await import('../../src/sync/messages/table.js');
    assert.equal(SEND_CHUNK, DROP_MAX_ITEMS);
  });
});
