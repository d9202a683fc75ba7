import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserDeviceItem, PairedDeviceItem } from '../api/index.js';
import { deviceLine } from './device-line.js';
import { formatAgo } from './output.js';

const NOW = Date.parse('2026-11-28T15:00:00.000Z');
const before = (ms: number) => new Date(NOW - ms).toISOString();
const MIN = 60_000;
const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d/;

describe('times as a person says them (formatAgo)', () => {
  it('recent times as how long ago, in whole units, one or several', () => {
    assert.equal(formatAgo(before(20_000), NOW), 'just now');
    assert.equal(formatAgo(before(MIN), NOW), '1 minute ago');
    assert.equal(formatAgo(before(59 * MIN), NOW), '59 minutes ago');
    assert.equal(formatAgo(before(3 * 60 * MIN + 5 * MIN), NOW), '3 hours ago');
    assert.equal(formatAgo(NOW - 26 * 60 * MIN, NOW), '1 day ago', 'ms since the epoch too');
    assert.equal(formatAgo(before(6 * 24 * 60 * MIN), NOW), '6 days ago');
  });

  it('from a week back the local date; a time ahead (another clock) its date and minute; no time: as given', () => {
    const old = NOW - 40 * 24 * 60 * MIN;
    const d = new Date(old);
    assert.equal(formatAgo(old, NOW), `on ${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`);
    assert.match(formatAgo(NOW + 10 * MIN, NOW), /^on \d{4}-\d\d-\d\d \d\d:\d\d$/);
    assert.equal(formatAgo(NOW + 20_000, NOW), 'just now', 'a clock a few seconds ahead');
    assert.equal(formatAgo('not a time', NOW), 'not a time');
  });
});

describe('vss devices list, a line a device (deviceLine)', () => {
  const device: PairedDeviceItem = {
    kind: 'device', id: 'd7566a96-5fe7-4e3e-9a43-e32db08d0638', name: 'Laptop', paired_at: before(3 * 24 * 60 * MIN), online: false,
    last_seen: before(5 * MIN), libraries: ['Photos'], via: 'pairing', peer_id: '12D3KooW', reached: null, rtt_ms: null, refuses_this_device: null,
  };
  const browser = {
    kind: 'browser', id: 'e2f6cd07-46c9-4bbe-aba6-b4bc904a84a7', name: 'My phone', paired_at: before(2 * MIN), last_seen: before(MIN),
    online: true, reached: 'lan', may: { view: true, upload: true, organise: true, files: false }, uploads_to: '/p/Uploads/My phone',
  } as BrowserDeviceItem;

  it('says when it was paired and last seen as how long ago, never as an ISO time; its id by its first 8 characters', () => {
    assert.equal(deviceLine(device, NOW), 'Laptop  d7566a96  paired 3 days ago  last seen 5 minutes ago');
    assert.equal(deviceLine(browser, NOW), 'My phone  e2f6cd07  paired 2 minutes ago  online (home network)  browser, may view, upload, organise');
    const member = deviceLine({ ...device, via: 'library', online: true, reached: 'lan', rtt_ms: 43 }, NOW);
    assert.equal(member, 'Laptop  d7566a96  joined the library 3 days ago  online (LAN, 43 ms)');
    for (const line of [deviceLine(device, NOW), deviceLine(browser, NOW), member]) assert.doesNotMatch(line, ISO, line);
  });
});
