import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { tempDir } from '../../test/helpers.js';
import { isLive, MAX_GUESTS, ShareBook, shareDuration } from './shares.js';

/**
 * Shares (issue 61) as the daemon's checks read them, over a real file: the link's secret and a
 * guest's session kept only as digests, a password as a salted hash; a guest signed in while its
 * share lives and never after its expiry or revocation, whatever order things happen in; the file
 * read back across a restart, and a damaged one refused rather than read as "no shares".
 */
describe('shares: scoped, expiring grants of an album', () => {
  const base = { library: 'L', album: 'A', album_name: 'Summer', download: true, upload: false };

  it('keeps no secret, only digests; a guest signs in while the share lives, never after', () => {
    const tmp = tempDir('vss-shares-');
    try {
      const book = ShareBook.load(tmp.path);
      const t0 = new Date('2026-01-01T00:00:00Z');
      const { share, secret } = book.create({ ...base, forMs: 60_000 }, t0);
      const opened = book.open(secret, undefined, false, undefined, new Date(t0.getTime() + 1000));
      assert.ok(typeof opened === 'object');
      const file = readFileSync(join(tmp.path, 'shares.json'), 'utf8');
      assert.ok(!file.includes(secret) && !file.includes(opened.session), 'neither secret is written');
      assert.equal(statSync(join(tmp.path, 'shares.json')).mode & 0o777, 0o600);
      const digest = JSON.parse(file).shares[0].guests[0].session as string;
      assert.ok(book.bySession(digest, new Date(t0.getTime() + 59_000)));
      assert.equal(book.bySession(digest, new Date(t0.getTime() + 60_000)), undefined, 'expired: no one');
      assert.equal(book.ended(digest, t0.getTime() + 60_000), 'expired');
      assert.equal(book.open(secret, undefined, false, undefined, new Date(t0.getTime() + 61_000)), 'ended');
      // Read back as a restarted daemon reads it.
      assert.equal(ShareBook.load(tmp.path).find(share.id)?.guests.length, 1);
      assert.equal(book.open('x'.repeat(43), undefined, false), 'unknown');
    } finally {
      tmp.cleanup();
    }
  });

  it('asks the password where one is set; refuses a browser past the most a share takes', () => {
    const tmp = tempDir('vss-shares-');
    try {
      const book = ShareBook.load(tmp.path);
      const { secret } = book.create({ ...base, forMs: 3_600_000, password: 'sesame' });
      assert.equal(book.open(secret, undefined, false), 'password');
      assert.equal(book.open(secret, 'Sesame', false), 'password');
      assert.ok(typeof book.open(secret, 'sesame', false) === 'object');
      assert.ok(!readFileSync(join(tmp.path, 'shares.json'), 'utf8').includes('sesame'));
      const other = book.create({ ...base, forMs: 3_600_000 });
      for (let i = 0; i < MAX_GUESTS; i++) assert.ok(typeof book.open(other.secret, undefined, true) === 'object');
      assert.equal(book.open(other.secret, undefined, true), 'full');
    } finally {
      tmp.cleanup();
    }
  });

  it('whatever the order of opening, revoking and time passing, a guest is let in only while its share is live', () => {
    const tmp = tempDir('vss-shares-');
    try {
      const book = ShareBook.load(tmp.path);
      const t0 = Date.parse('2026-01-01T00:00:00Z');
      const made = [0, 1, 2].map((i) => book.create({ ...base, forMs: 10_000 * (i + 1) }, new Date(t0)));
      const sessions: Array<{ share: number; digest: string }> = [];
      const step = fc.oneof(
        fc.record({ open: fc.nat(2), at: fc.nat(40_000) }),
        fc.record({ revoke: fc.nat(2), at: fc.nat(40_000) }),
        fc.record({ look: fc.nat(40), at: fc.nat(40_000) }),
      );
      fc.assert(fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        for (const s of steps) {
          const now = new Date(t0 + s.at);
          if ('open' in s) {
            const o = book.open(made[s.open]!.secret, undefined, false, undefined, now);
            if (typeof o === 'object') sessions.push({ share: s.open, digest: o.guest.session });
            else assert.ok(o === 'ended' || o === 'full', o);
          } else if ('revoke' in s) book.revoke(made[s.revoke]!.share.id, now);
          else {
            const one = sessions[s.look % Math.max(1, sessions.length)];
            if (!one) continue;
            const share = book.find(made[one.share]!.share.id)!;
            assert.equal(book.bySession(one.digest, now) !== undefined, isLive(share, now.getTime()), 'in exactly while live');
          }
        }
      }), { numRuns: 50 });
    } finally {
      tmp.cleanup();
    }
  });

  it('refuses a damaged file rather than reading it as no shares; reads --expires', () => {
    const tmp = tempDir('vss-shares-');
    try {
      writeFileSync(join(tmp.path, 'shares.json'), '{"version":1,"shares":[{"id":3}]}');
      assert.throws(() => ShareBook.load(tmp.path), /damaged/);
      assert.equal(shareDuration('7d'), 7 * 86_400_000);
      assert.equal(shareDuration('30m'), 1_800_000);
      assert.equal(shareDuration('45s'), 45_000);
      assert.throws(() => shareDuration('soon'), /--expires/);
      const book = ShareBook.load(join(tmp.path, 'fresh'));
      assert.throws(() => book.create({ ...base, forMs: 400 * 86_400_000 }), /up to a year/);
    } finally {
      tmp.cleanup();
    }
  });
});
