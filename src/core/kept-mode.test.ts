import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keptMode, modeFromPeer } from './kept-mode.js';

test('a copy keeps rwx bits and never setuid, setgid or sticky', () => {
  assert.equal(keptMode(0o100600), 0o600);
  assert.equal(keptMode(0o104755), 0o755);
  assert.equal(keptMode(0o103777), 0o777);
  assert.equal(keptMode(0o40750), 0o750);
});

test('a peer-sent mode is bounded to rwx bits; nonsense falls back', () => {
  assert.equal(modeFromPeer(0o6640), 0o640);
  assert.equal(modeFromPeer('0777'), 0o644);
  assert.equal(modeFromPeer(-1), 0o644);
  assert.equal(modeFromPeer(undefined, 0o600), 0o600);
  assert.equal(modeFromPeer(1.5), 0o644);
});
