import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { GridDays, GridItem, GridPage } from '../../src/wire/browse.js';
import { importWebModule } from './web-module.js';

/**
 * The grid store (web/src/grid-store.ts) as shipped, with only the network replaced: each request
 * the app sends waits here until the test answers it, so the order of answers is the test's.
 */
interface GridStore {
  days: GridDays | null;
  generation: number;
  /** Bumped when anything shown changes. */
  version: number;
  loadDays(): Promise<void>;
  refresh(confirm?: boolean): void;
  thumbChanged(uuid: string): void;
  want(first: number, last: number): void;
  item(index: number): GridItem | undefined;
  find(uuid: string): { index: number; fresh: boolean } | undefined;
}
interface GridStoreModule { GridStore: new (libId: string) => GridStore; PAGE_SIZE: number }

const { GridStore: Store, PAGE_SIZE } = await importWebModule<GridStoreModule>('grid-store.ts');

interface Request {
  url: string;
  answered: boolean;
  answer(body: unknown): void;
}

let requests: Request[] = [];
/** Each test's own library: timers left by a test before it cannot send requests it counts. */
let lib = '';
let libs = 0;
const realFetch = globalThis.fetch;
beforeEach(() => {
  requests = [];
  lib = `lib${++libs}`;
  globalThis.fetch = ((url: string, init?: RequestInit) => new Promise<Response>((resolve, reject) => {
    const r: Request = {
      url: String(url),
      answered: false,
      answer: (body) => { r.answered = true; resolve(new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } })); },
    };
    init?.signal?.addEventListener('abort', () => { r.answered = true; reject(new DOMException('aborted', 'AbortError')); });
    requests.push(r);
  })) as typeof fetch;
});
afterEach(() => { globalThis.fetch = realFetch; });

const ours = (r: Request) => r.url.startsWith(`/api/libraries/${lib}/`);
const isDays = (r: Request) => ours(r) && r.url.endsWith('/grid/days');
const isPage = (r: Request, page: number) => ours(r) && r.url.includes(`/grid?`) && new URL(r.url, 'http://x').searchParams.get('offset') === String(page * PAGE_SIZE);
const pending = (pred: (r: Request) => boolean) => requests.filter((r) => !r.answered && pred(r));

/** The first request matching PRED not yet answered, waited for (bounded). */
async function nextRequest(pred: (r: Request) => boolean, ms = 5000): Promise<Request> {
  const end = Date.now() + ms;
  for (;;) {
    const r = pending(pred)[0];
    if (r) return r;
    if (Date.now() > end) throw new Error(`no such request within ${ms} ms; sent: ${requests.map((x) => x.url).join(', ')}`);
    await sleep(5);
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Let the answers' promise chains run. */
const settle = () => sleep(20);

const days = (version: number, total: number): GridDays => ({ total, version, days: [{ day: '2024-01-01', count: total }], devices: [], device: null });
const item = (uuid: string, checksum: string | null = null): GridItem => ({
  content_uuid: uuid, name: `${uuid}.jpg`, kind: 'image', mime: 'image/jpeg', day: '2024-01-01', captured_at: null,
  width: 1, height: 1, duration_s: null, live_photo: false, thumb_checksum: checksum, has_thumb: true, local: true, devices: [], copies: 1,
  favorite: false, rating: 0, hidden: false,
});
const page = (version: number, total: number, uuids: string[], checksum: string | null = null): GridPage => ({ total, version, items: uuids.map((u) => item(u, checksum)) });

/** A store with its days read and page 0 (uuids a, b, c) loaded. */
async function loaded(): Promise<GridStore> {
  const s = new Store(lib);
  const first = s.loadDays();
  (await nextRequest(isDays)).answer(days(1, 3));
  await first;
  s.want(0, 2);
  (await nextRequest((r) => isPage(r, 0))).answer(page(1, 3, ['a', 'b', 'c']));
  await settle();
  assert.equal(s.item(0)?.content_uuid, 'a');
  return s;
}

describe('the grid store (web/src/grid-store.ts)', () => {
  it('keeps the newest days: an older read answered last is dropped', async () => {
    const s = new Store(lib);
    void s.loadDays();
    const older = await nextRequest(isDays);
    s.refresh();
    const newer = pending(isDays).find((r) => r !== older);
    assert.ok(newer, 'the refresh reads the days again');
    newer.answer(days(2, 5));
    await settle();
    older.answer(days(1, 3));
    await settle();
    assert.equal(s.days?.version, 2);
    assert.equal(s.days?.total, 5);
  });

  it('reads stale pages when a days read ends, though news of changes kept coming meanwhile', async () => {
    const s = await loaded();
    s.refresh();
    const read = await nextRequest(isDays);
    // Events during the read: the next read waits for its time, the pages need not.
    s.refresh();
    s.refresh();
    read.answer(days(2, 4));
    const again = await nextRequest((r) => isPage(r, 0), 1000);
    assert.equal(pending(isDays).length, 0, 'the next days read waits its 2 s');
    again.answer(page(2, 4, ['new', 'a', 'b', 'c']));
    await settle();
    assert.equal(s.item(0)?.content_uuid, 'new');
    assert.deepEqual(s.find('a'), { index: 1, fresh: true });
    // The throttled read comes in its time, and is answered.
    (await nextRequest(isDays, 5000)).answer(days(2, 4));
    await settle();
  });

  it('after news, reads the days once more in 2 s though the first read brought a change (the daemon\'s order may be up to 2 s old)', async () => {
    const s = await loaded();
    s.refresh();
    // The daemon answers from an order made before the last write of the news: changed, not yet whole.
    (await nextRequest(isDays)).answer(days(2, 4));
    await settle();
    assert.equal(s.days?.total, 4);
    // Nothing more is told (the scan's last event came): the store asks once more by itself.
    (await nextRequest(isDays, 5000)).answer(days(3, 5));
    await settle();
    assert.equal(s.days?.total, 5, 'the grid ends whole, not a change behind');
  });

  it('re-reads the page of a changed thumbnail with no days read, at most every 2 s however many come', async () => {
    const s = await loaded();
    const sentBefore = requests.length;
    const start = Date.now();
    let stop = false;
    const events = (async () => { while (!stop) { s.thumbChanged('b'); await sleep(20); } })();
    try {
      const first = await nextRequest((r) => isPage(r, 0), 1000);
      first.answer(page(1, 3, ['a', 'b', 'c'], 'sum1'));
      const second = await nextRequest((r) => isPage(r, 0), 4000);
      assert.ok(Date.now() - start >= 1900, `the second re-read waited its 2 s (${Date.now() - start} ms)`);
      second.answer(page(1, 3, ['a', 'b', 'c'], 'sum2'));
      await settle();
      assert.equal(s.item(1)?.thumb_checksum, 'sum2');
    } finally {
      stop = true;
      await events;
    }
    assert.equal(requests.slice(sentBefore).filter(isDays).length, 0, 'no days read for a thumbnail');
    // The last events' mark is read once more; let it go before the next test.
    (await nextRequest((r) => isPage(r, 0), 4000)).answer(page(1, 3, ['a', 'b', 'c'], 'sum3'));
    await settle();
  });

  it('reads a page again when its thumbnail changed while the page was on its way', async () => {
    const s = new Store(lib);
    const first = s.loadDays();
    (await nextRequest(isDays)).answer(days(1, 3));
    await first;
    s.want(0, 2);
    const read = await nextRequest((r) => isPage(r, 0));
    s.thumbChanged('c');
    await sleep(50);
    // Answered as read before the thumbnail was made.
    read.answer(page(1, 3, ['a', 'b', 'c']));
    const again = await nextRequest((r) => isPage(r, 0), 4000);
    again.answer(page(1, 3, ['a', 'b', 'c'], 'made'));
    await settle();
    assert.equal(s.item(2)?.thumb_checksum, 'made');
  });

  it('finds a content in the pages read since the order moved before the stale ones', async () => {
    const s = await loaded();
    assert.deepEqual(s.find('c'), { index: 2, fresh: true });
    s.refresh();
    (await nextRequest(isDays)).answer({ total: 3 + PAGE_SIZE, version: 2, days: [{ day: '2024-02-01', count: PAGE_SIZE }, { day: '2024-01-01', count: 3 }], devices: [], device: null });
    await settle();
    assert.deepEqual(s.find('c'), { index: 2, fresh: false }, 'only a stale page holds it');
    (await nextRequest((r) => isPage(r, 0))).answer(page(2, 3 + PAGE_SIZE, Array.from({ length: PAGE_SIZE }, (_, i) => `n${i}`)));
    await settle();
    assert.equal(s.find('c'), undefined, 'moved out of the pages read');
    assert.equal(s.find('missing'), undefined);
  });

  it('a device going offline with the order unchanged draws the tiles again, reading no page', async () => {
    const s = await loaded();
    const device = (online: boolean) => ({ device_id: 'laptop', name: 'Laptop', local: false, online });
    s.refresh(false);
    (await nextRequest(isDays)).answer({ ...days(1, 3), devices: [device(true)] });
    await settle();
    const drawn = s.version;
    const generation = s.generation;
    const shown = s.days!.devices;
    await sleep(2100);
    s.refresh(false);
    (await nextRequest(isDays)).answer({ ...days(1, 3), devices: [device(true)] });
    await settle();
    assert.equal(s.days!.devices, shown, 'the same devices: the same object (rows are not drawn again)');
    assert.equal(s.version, drawn, 'nothing to draw');
    await sleep(2100);
    s.refresh(false);
    (await nextRequest(isDays)).answer({ ...days(1, 3), devices: [device(false)] });
    await settle();
    assert.equal(s.days!.devices[0]!.online, false);
    assert.ok(s.version > drawn, 'drawn again');
    assert.equal(s.generation, generation, 'the pages stand');
    assert.deepEqual(pending((r) => isPage(r, 0)), [], 'no page read again');
  });
});
