import { after, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserDevices } from '../../device/browser-devices.js';
import { ShareBook } from '../../device/shares.js';
import assert from 'node:assert/strict';
import { refusedOrigin, SESSION_LIMITS, UiSessions } from './session.js';

const TOKEN = 'x'.repeat(43);

/** Sessions on a clock the test moves, keeping paired browsers in a folder of their own. */
function sessionsAt(start = 1_000_000): { s: UiSessions; tick: (ms: number) => void; browsers: BrowserDevices } {
  let t = start;
  const dir = mkdtempSync(join(tmpdir(), 'vss-sessions-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const browsers = BrowserDevices.load(dir);
  const s = new UiSessions(TOKEN, () => t);
  s.keepBrowsers(browsers);
  return { s, tick: (ms) => (t += ms), browsers };
}

const cookieOf = (s: UiSessions, secret: string) => `${s.cookieName}=${secret}`;

describe('web UI tickets and sessions', () => {
  it('a ticket signs in once; the session secret is new random bytes, neither the ticket nor the token', () => {
    const { s } = sessionsAt();
    const { ticket } = s.issueTicket();
    const secret = s.redeem(ticket)!;
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(secret, ticket);
    assert.equal(s.redeem(ticket), null, 'used');
    assert.equal(s.authenticates(cookieOf(s, secret)), true);
    assert.equal(s.authenticates(cookieOf(s, ticket)), false, 'a ticket is not a session');
    assert.equal(s.authenticates(cookieOf(s, TOKEN)), false, 'the token is not a session');
    assert.equal(s.authenticates(`other=${secret}`), false, 'another cookie name');
    assert.equal(s.presented(cookieOf(s, TOKEN)), true, 'a value of the shape is presented, live or not');
    assert.equal(s.presented(`other=${secret}`), false);
    assert.equal(s.redeem('A'.repeat(43)), null, 'unknown');
    assert.equal(s.redeem('../../etc'), null, 'not a ticket at all');
  });

  it('a ticket expires a minute after it was made', () => {
    const { s, tick } = sessionsAt();
    const a = s.issueTicket();
    const b = s.issueTicket();
    assert.equal(Date.parse(a.expires_at), 1_000_000 + SESSION_LIMITS.ticketMs);
    tick(SESSION_LIMITS.ticketMs - 1);
    assert.notEqual(s.redeem(a.ticket), null, 'just in time');
    tick(1);
    assert.equal(s.redeem(b.ticket), null, 'expired');
  });

  it('a session ends after 12 h unused; each use starts the time again', () => {
    const { s, tick } = sessionsAt();
    const c = cookieOf(s, s.redeem(s.issueTicket().ticket)!);
    tick(SESSION_LIMITS.sessionIdleMs - 1);
    assert.equal(s.authenticates(c), true);
    tick(SESSION_LIMITS.sessionIdleMs - 1);
    assert.equal(s.authenticates(c), true, 'kept alive by use');
    tick(SESSION_LIMITS.sessionIdleMs);
    assert.equal(s.authenticates(c), false);
    assert.equal(s.counts().sessions, 0, 'an ended session is forgotten');
  });

  it('at most 64 live tickets: minting more drops the oldest', () => {
    const { s } = sessionsAt();
    const first = s.issueTicket();
    const rest = Array.from({ length: SESSION_LIMITS.tickets + 10 }, () => s.issueTicket());
    assert.equal(s.counts().tickets, SESSION_LIMITS.tickets);
    assert.equal(s.redeem(first.ticket), null, 'the oldest went');
    assert.equal(s.redeem(rest[9]!.ticket), null);
    assert.notEqual(s.redeem(rest[10]!.ticket), null, 'the oldest kept one still signs in');
    assert.notEqual(s.redeem(rest.at(-1)!.ticket), null);
  });

  it('at most 256 sessions: one more ends the one used longest ago', () => {
    const { s, tick } = sessionsAt();
    const cookies = Array.from({ length: SESSION_LIMITS.sessions }, () => {
      tick(1);
      return cookieOf(s, s.redeem(s.issueTicket().ticket)!);
    });
    assert.equal(s.authenticates(cookies[0]!), true, 'used just now: no longer the oldest');
    const extra = cookieOf(s, s.redeem(s.issueTicket().ticket)!);
    assert.equal(s.counts().sessions, SESSION_LIMITS.sessions);
    assert.equal(s.authenticates(cookies[1]!), false, 'the least recently used went');
    assert.equal(s.authenticates(cookies[0]!), true);
    assert.equal(s.authenticates(cookies[2]!), true);
    assert.equal(s.authenticates(extra), true);
  });

  it('the cookie is named after the token, not holding it', () => {
    const { s } = sessionsAt();
    assert.match(s.cookieName, /^vss_session_[0-9a-f]{8}$/);
    assert.equal(new UiSessions(TOKEN).cookieName, s.cookieName, 'stable across restarts');
    assert.notEqual(new UiSessions('y'.repeat(43)).cookieName, s.cookieName);
    assert.match(s.setCookie('S'.repeat(43)), /^vss_session_[0-9a-f]{8}=S{43}; HttpOnly; SameSite=Strict; Path=\/$/);
  });

  it('only the app\'s own origin passes; a navigation from nowhere passes for the page only', () => {
    assert.equal(refusedOrigin('same-origin', false), null);
    assert.equal(refusedOrigin('same-origin', true), null);
    assert.equal(refusedOrigin('none', true), null);
    for (const v of ['none', 'same-site', 'cross-site', undefined, ['same-origin', 'same-origin'], 'Same-Origin']) {
      assert.match(refusedOrigin(v, false) ?? '', /Sec-Fetch-Site/, String(v));
    }
    for (const v of ['same-site', 'cross-site', undefined]) assert.notEqual(refusedOrigin(v, true), null, String(v));
  });

  it('a pairing address lives five minutes; ten at most in any ten minutes', () => {
    const { s, tick } = sessionsAt();
    const pair = s.issueTicket({});
    assert.equal(Date.parse(pair.expires_at), 1_000_000 + SESSION_LIMITS.pairMs);
    tick(SESSION_LIMITS.pairMs - 1);
    assert.notEqual(s.redeem(pair.ticket), null, 'a phone may take its time');
    for (let i = 1; i < SESSION_LIMITS.pairsPerWindow; i++) s.issueTicket({});
    assert.throws(() => s.issueTicket({}), /pairing addresses were made/);
    assert.doesNotThrow(() => s.issueTicket(), 'a desktop\'s sign-in is not a pairing');
    tick(SESSION_LIMITS.pairWindowMs);
    assert.doesNotThrow(() => s.issueTicket({}), 'the window moved on');
  });

  it('dead tickets past 20 a minute on one side are answered "limited"; a live ticket still signs in, and the other side is not slowed', () => {
    const { s, tick } = sessionsAt();
    const live = s.issueTicket({});
    for (let i = 0; i < SESSION_LIMITS.failedPerMinute; i++) assert.equal(s.redeem(`${'G'.repeat(42)}${i % 10}`, true), null);
    assert.equal(s.redeem('G'.repeat(43), true), 'limited', 'guessing is slowed');
    assert.equal(s.redeem('H'.repeat(43), false), null, 'this machine\'s side is not');
    assert.notEqual(s.redeem(live.ticket, true), null, 'a live ticket is never locked out');
    tick(60_000);
    assert.equal(s.redeem('G'.repeat(43), true), null, 'a minute later: answered again');
  });

  it('a desktop\'s ticket (`vss ui`) does not sign in from the network, and stays live for this machine', () => {
    const { s } = sessionsAt();
    const desk = s.issueTicket();
    assert.equal(s.redeem(desk.ticket, true), null);
    assert.notEqual(s.redeem(desk.ticket, false), null);
  });

  it('a paired browser\'s cookie is kept by its browser over HTTPS only', () => {
    const { s } = sessionsAt();
    assert.match(s.setCookie('S'.repeat(43), true, true), /; Max-Age=\d+$/);
    assert.doesNotMatch(s.setCookie('S'.repeat(43), false, true), /Max-Age/);
  });

  it('a session begun on the home network counts there only, and one begun on this machine only here', () => {
    const { s } = sessionsAt();
    const lan = cookieOf(s, s.redeem(s.issueTicket({}).ticket, true) as string);
    const here = cookieOf(s, s.redeem(s.issueTicket().ticket) as string);
    assert.equal(s.authenticates(lan, true), true);
    assert.equal(s.authenticates(lan, false), false);
    assert.equal(s.authenticates(here, false), true);
    assert.equal(s.authenticates(here, true), false);
    assert.match(s.setCookie('S'.repeat(43), true), /; HttpOnly; Secure; SameSite=Strict; Path=\/$/);
  });

  it('says why a browser is not signed in: no cookie, a session that ended, or a browser revoked', () => {
    const { s, tick, browsers } = sessionsAt();
    assert.equal(s.whyNotSignedIn(undefined), 'none');
    assert.equal(s.whyNotSignedIn('other=1'), 'none');
    assert.equal(s.whyNotSignedIn(cookieOf(s, 'A'.repeat(43))), 'expired', 'a cookie of the shape that signs no one in');
    const mine = cookieOf(s, s.redeem(s.issueTicket().ticket) as string);
    tick(SESSION_LIMITS.sessionIdleMs);
    assert.equal(s.authenticates(mine), false);
    assert.equal(s.whyNotSignedIn(mine), 'expired');
    const phone = cookieOf(s, s.redeem(s.issueTicket({ name: 'Phone' }).ticket) as string);
    assert.equal(s.authenticates(phone), true);
    browsers.revoke(browsers.list()[0]!.id);
    assert.equal(s.authenticates(phone), false);
    assert.equal(s.whyNotSignedIn(phone), 'revoked');
  });
});

describe('a shared album\'s link among guesses (issue 61)', () => {
  it('opens while links that open nothing are refused as too many: guessing locks no guest out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vss-share-guess-'));
    try {
      const s = new UiSessions('t'.repeat(43));
      const shares = ShareBook.load(dir);
      s.keepShares(shares);
      const { secret } = shares.create({ library: 'L', album: 'A', album_name: 'Summer', forMs: 60_000, download: false, upload: false });
      let last: unknown;
      for (let i = 0; i <= SESSION_LIMITS.failedPerMinute; i++) last = s.openShare('x'.repeat(43), undefined, true);
      assert.equal(last, 'limited', 'guesses past the bound are answered as too many');
      const opened = s.openShare(secret, undefined, true);
      assert.ok(typeof opened === 'object', `the live link still opens: ${String(opened)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
