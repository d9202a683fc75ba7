/**
 * Issue 46 item 4, the home's side: a browser paired away from home reaches its home device's API
 * end to end through the relay box. Real daemons on loopback — a box (`--relay --box-web`) and a
 * home device paired with it, holding a slot there — and a libp2p peer with a key of its own
 * playing the browser (AwayBrowser: what the box and the home check is its key, whatever carries
 * it). `vss ui pair --away` makes an address on the box whose fragment holds the ticket; the
 * browser pairs with it through the box, asks the API as a browser device with its rights, and is
 * refused by the box and the home once revoked. A key never paired gets nowhere.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { json, until } from '../helpers.js';
import { AwayBrowser } from '../support/away-browser.js';
import { AWAY_SKIP, awaySetup, type AwaySetup } from '../support/away-setup.js';

describe('a browser away from home reaches its home device through the relay box', { skip: AWAY_SKIP, timeout: 300_000 }, () => {
  let t!: AwaySetup;
  let circuit = '';
  let boxWeb = '';
  let home = '';
  const browsers: AwayBrowser[] = [];
  const cli = (env: Record<string, string>, ...args: string[]) => t.cli(env, ...args);
  let HOME: Record<string, string> = {};
  let tmp = { path: '' };

  before(async () => {
    t = await awaySetup('vss-away-');
    writeFileSync(join(t.photos, 'note.txt'), 'away from home\n');
    ({ circuit, boxWeb, home, HOME } = t);
    tmp = { path: t.tmp };
  });
  after(async () => {
    await Promise.all(browsers.map((b) => b.stop().catch(() => undefined)));
    await t?.stop();
  });

  it('pairs by an address on the box, then asks the home as a browser device with its rights; revoked, it is refused', async () => {
    const pair = json<{ url: string }>(await cli(HOME, '--json', 'ui', 'pair', '--away', '--name', 'Phone away', '--may', 'view'));
    const url = new URL(pair.url);
    assert.equal(url.origin, new URL(boxWeb).origin, 'the address is on the box');
    assert.equal(url.pathname, '/ui/');
    const fragment = new URLSearchParams(url.hash.slice(1));
    assert.equal(fragment.get('home'), home);
    const ticket = fragment.get('pair')!;
    assert.ok(ticket.length > 20);

    const phone = await AwayBrowser.start();
    browsers.push(phone);
    // Not paired yet: only pairing is served to it (the box carries it while the address lives).
    const before = await until('the box carries the stranger to its home', 15_000, async () => {
      try {
        return await phone.fetch(circuit, '/api/ui/me');
      } catch (err) {
        if (process.env.VSS_TEST_DEBUG) console.error('DEBUG', (err as Error).message);
        return undefined;
      }
    });
    assert.equal(before.status, 401);
    const paired = await phone.fetch(circuit, '/api/ui/pair-away', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ticket }) });
    assert.equal(paired.status, 200, await paired.clone().text());
    const me = (await paired.json()) as { browser: { id: string; name: string; may: { view: boolean; upload: boolean } } };
    assert.equal(me.browser.name, 'Phone away');
    assert.deepEqual([me.browser.may.view, me.browser.may.upload], [true, false]);
    // Paired now: pairing again is not among what it may do.
    const again = await phone.fetch(circuit, '/api/ui/pair-away', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ticket }) });
    assert.equal(again.status, 403);

    // A fresh connection through the box: carried now because the home told the box of it, not by the pairing's window.
    await phone.hangUpAll();
    const who = await until('the box carries the paired browser', 15_000, async () => {
      try {
        const r = await phone.fetch(circuit, '/api/ui/me');
        return r.status === 200 ? r : undefined;
      } catch {
        return undefined;
      }
    });
    assert.equal(((await who.json()) as { browser: { id: string } }).browser.id, me.browser.id);
    const libs = await phone.fetch(circuit, '/api/libraries');
    assert.equal(libs.status, 200);
    assert.match(await libs.text(), /"name":"Home"/);
    const refused = await phone.fetch(circuit, '/api/locations', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path: tmp.path }) });
    assert.equal(refused.status, 403, 'a browser that may view does not add locations');
    const listed = json<Array<{ kind: string; id: string; reached: string }>>(await cli(HOME, '--json', 'devices', 'list')).find((d) => d.id === me.browser.id);
    assert.equal(listed?.reached, 'relay');

    // A key never paired: the box no longer carries strangers to the home.
    const stranger = await AwayBrowser.start();
    browsers.push(stranger);
    await assert.rejects(stranger.fetch(circuit, '/api/ui/me'));

    await cli(HOME, 'devices', 'revoke', me.browser.id);
    await until('the revoked browser is hung up on', 15_000, async () => (phone.connectedTo(home) ? undefined : true));
    await assert.rejects(phone.fetch(circuit, '/api/ui/me'), 'revoked: neither the box nor the home lets it through');
  });
});
