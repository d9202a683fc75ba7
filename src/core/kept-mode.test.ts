import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { keptMode, modeFromPeer } from './kept-mode.js';

test('a copy keeps rwx bits and never setuid, setgid or sticky', () => {
  assert.equal(keptMode(0o100600), 0o600);
  assert.equal(keptMode(0o104755), 0o755);
  assert.equal(keptMode(0o103777), 0o777);
  assert.equal(keptMode(0o40750), 0o750);
});

test('a peer-sent mode is bounded to rwx bits less group and other write; nonsense falls back', () => {
  assert.equal(modeFromPeer(0o6640), 0o640);
  assert.equal(modeFromPeer(0o7777), 0o755);
  assert.equal(modeFromPeer(0o666), 0o644);
  assert.equal(modeFromPeer('0777'), 0o644);
  assert.equal(modeFromPeer(-1), 0o644);
  assert.equal(modeFromPeer(undefined, 0o600), 0o600);
  assert.equal(modeFromPeer(1.5), 0o644);
});

test('any mode a peer sends: the owner\'s bits and the read and execute bits kept, never group/other write, setuid, setgid or sticky', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0o177777 }), (mode) => {
    const got = modeFromPeer(mode);
    assert.equal(got & 0o7022, 0, `no group/other write, no special bits (${got.toString(8)})`);
    assert.equal(got & 0o700, mode & 0o700, 'the owner\'s bits as sent');
    assert.equal(got & 0o055, mode & 0o055, 'read and execute for group and others as sent');
  }));
});
