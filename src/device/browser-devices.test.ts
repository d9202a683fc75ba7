import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROWSER_DEVICES_FILE, BrowserDevices, browserDeviceItem, MAX_BROWSER_DEVICES, MAX_REVOKED_SESSIONS } from './browser-devices.js';

const digestOf = (n: number) => n.toString(16).padStart(64, '0');

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'vss-browsers-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('paired browsers', () => {
  it('are kept owner-only across loads, found by their session\'s digest, seen at most once a minute, and revoked by id or its start', () => withDir((dir) => {
    const b = BrowserDevices.load(dir);
    const t0 = new Date('2026-11-26T10:00:00Z');
    const ann = b.add({ name: ' Ann\'s phone ', lan: true, session: digestOf(1) }, t0);
    assert.equal(ann.name, 'Ann\'s phone');
    assert.equal(statSync(join(dir, BROWSER_DEVICES_FILE)).mode & 0o777, 0o600);
    assert.equal(BrowserDevices.load(dir).bySession(digestOf(1))?.id, ann.id);
    assert.equal(b.bySession(digestOf(2)), undefined);
    const before = readFileSync(join(dir, BROWSER_DEVICES_FILE), 'utf8');
    b.noteSeen(ann.id, new Date(t0.getTime() + 30_000));
    assert.equal(readFileSync(join(dir, BROWSER_DEVICES_FILE), 'utf8'), before, 'not a write per request');
    b.noteSeen(ann.id, new Date(t0.getTime() + 61_000));
    assert.equal(BrowserDevices.load(dir).list()[0]!.last_seen, '2026-11-26T10:01:01.000Z');
    assert.equal(browserDeviceItem(b.list()[0]!, t0.getTime() + 61_000).online, true);
    assert.equal(browserDeviceItem(b.list()[0]!, t0.getTime() + 10 * 60_000).online, false);
    assert.equal(b.revoke(ann.id.slice(0, 8))?.id, ann.id);
    assert.equal(BrowserDevices.load(dir).bySession(digestOf(1)), undefined, 'its session is gone with it');
    assert.equal(BrowserDevices.load(dir).wasRevoked(digestOf(1)), true, 'remembered as revoked, across loads (it is told why)');
    assert.equal(b.wasRevoked(digestOf(2)), false);
    assert.equal(b.revoke(ann.id), undefined);
  }));

  it('refuses a bad name, more than 64 browsers, and a damaged file (never read as none)', () => withDir((dir) => {
    const b = BrowserDevices.load(dir);
    for (const name of ['', '   ', 'a\u0007b', 'x'.repeat(65)]) assert.throws(() => b.add({ name, lan: true, session: digestOf(9) }), /a browser's name/);
    for (let i = 0; i < MAX_BROWSER_DEVICES; i++) b.add({ lan: false, session: digestOf(100 + i) });
    assert.throws(() => b.add({ lan: false, session: digestOf(1) }), /revoke one/);
    for (const text of ['{', '{"version":1,"devices":[{"id":"x"}]}', '{"version":2,"devices":[]}', '{"version":1,"devices":[],"revoked":["x"]}']) {
      writeFileSync(join(dir, BROWSER_DEVICES_FILE), text);
      assert.throws(() => BrowserDevices.load(dir), /is damaged/, text);
    }
    // A file written before revoked sessions were kept reads as none revoked.
    writeFileSync(join(dir, BROWSER_DEVICES_FILE), '{"version":1,"devices":[]}');
    assert.equal(BrowserDevices.load(dir).wasRevoked(digestOf(1)), false);
  }));

  it('remembers the last revoked sessions only', () => withDir((dir) => {
    const b = BrowserDevices.load(dir);
    for (let i = 0; i < MAX_REVOKED_SESSIONS + 2; i++) b.revoke(b.add({ lan: false, session: digestOf(500 + i) }).id);
    assert.equal(b.wasRevoked(digestOf(500)), false, 'the oldest forgotten');
    assert.equal(BrowserDevices.load(dir).wasRevoked(digestOf(501 + MAX_REVOKED_SESSIONS)), true);
  }));
});
