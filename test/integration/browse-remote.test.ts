import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { json, tempDir } from '../helpers.js';
// The CLI in this process for the calls; the two daemons run in processes of their own.
import { cliHere as runCli } from '../support/cli-here.js';
import { pairDaemons } from '../sync-peers.js';

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0'];

interface Entry { name: string; kind: string | null; size: number; modified: string | null }

/**
 * Issue 59 item 3 between two real daemons over loopback: the desktop lets paired devices browse
 * one folder that is in none of its locations (`vss device browsable add`, off by default); the
 * laptop lists it (`vss browse DESKTOP:/PATH`, kinds by content) and fetches a file of it (`vss
 * content get DESKTOP:/PATH/FILE --to DIR`), byte-identical; anything outside the roots — another
 * folder, a symlink leading out, `..` — is refused, and so is everything before a root is named.
 */
describe('browsing a folder of a paired device that is in no location', { timeout: 240_000 }, () => {
  const tmp = tempDir('vss-browse-remote-');
  const device = (d: string): Record<string, string> => ({ VSS_DATA_DIR: join(tmp.path, d) });
  const [A, B] = [device('a'), device('b')];
  const shared = join(tmp.path, 'desktop', 'Scans');
  const secret = join(tmp.path, 'desktop', 'Private');
  const got = join(tmp.path, 'laptop-downloads');
  const ok = async (env: Record<string, string>, args: string[]) => {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  after(async () => {
    await Promise.all([A, B].map((e) => runCli(['daemon', 'stop'], e)));
    tmp.cleanup();
  });

  before(async () => {
    mkdirSync(join(shared, 'receipts'), { recursive: true });
    mkdirSync(secret, { recursive: true });
    mkdirSync(got);
    writeFileSync(join(shared, 'tax-form.pdf'), '%PDF-1.4\n% a scanned tax form\n'.repeat(2000));
    writeFileSync(join(secret, 'passwords.txt'), 'do not share\n');
    symlinkSync(secret, join(shared, 'way-out'));
    await ok(A, ['library', 'create', 'Home', '--path', join(tmp.path, 'libs')]);
    await ok(B, ['device', 'rename', 'Desktop']);
    for (const env of [A, B]) await ok(env, ['daemon', 'start', ...LOOPBACK]);
    await pairDaemons(A, B);
  });

  it('refuses every folder until the desktop names one; then lists it and fetches a file, verified; nothing outside it', async () => {
    const before = await runCli(['browse', `Desktop:${shared}`], A);
    assert.notEqual(before.code, 0, 'nothing is browsable by default');
    assert.match(before.stderr, /in no folder this device lets paired devices browse/);

    // The device's own data (its key, its libraries) is never browsable, however a root is named.
    const mine = await runCli(['device', 'browsable', 'add', tmp.path], B);
    assert.notEqual(mine.code, 0, 'a folder holding the data dir');
    assert.match(mine.stderr, /which vss keeps to itself/);
    assert.notEqual((await runCli(['device', 'browsable', 'add', B.VSS_DATA_DIR!], B)).code, 0, 'the data dir itself');
    assert.deepEqual(json<{ roots: string[] }>(await ok(A, ['--json', 'browse', 'Desktop:'])).roots, [], 'no roots named yet');
    assert.deepEqual(json<string[]>(await ok(B, ['--json', 'device', 'browsable', 'add', shared])), [shared]);
    const roots = json<{ device: string; here: boolean; roots: string[] }>(await ok(A, ['--json', 'browse', 'Desktop:']));
    assert.deepEqual({ device: roots.device, here: roots.here, roots: roots.roots }, { device: 'Desktop', here: false, roots: [shared] }, 'the roots, asked of it');
    const listed = json<Entry[]>(await ok(A, ['--json', 'browse', `Desktop:${shared}`]));
    const byName = new Map(listed.map((e) => [e.name, e]));
    assert.deepEqual([...byName.keys()].sort(), ['receipts', 'tax-form.pdf', 'way-out']);
    assert.equal(byName.get('tax-form.pdf')!.kind, 'document', 'a PDF by its first bytes');
    assert.equal(byName.get('tax-form.pdf')!.size, readFileSync(join(shared, 'tax-form.pdf')).length);

    await ok(A, ['content', 'get', `Desktop:${shared}/tax-form.pdf`, '--to', got]);
    assert.deepEqual(readdirSync(got), ['tax-form.pdf']);
    assert.ok(readFileSync(join(got, 'tax-form.pdf')).equals(readFileSync(join(shared, 'tax-form.pdf'))), 'byte-identical');

    for (const outside of [`Desktop:${secret}`, `Desktop:${shared}/way-out`, `Desktop:${shared}/way-out/passwords.txt`, `Desktop:${shared}/../Private/passwords.txt`]) {
      const r = outside.endsWith('.txt') ? await runCli(['content', 'get', outside, '--to', got], A) : await runCli(['browse', outside], A);
      assert.notEqual(r.code, 0, `${outside}: refused`);
    }
    assert.deepEqual(readdirSync(got), ['tax-form.pdf'], 'nothing from outside the root came');

    assert.deepEqual(json<string[]>(await ok(B, ['--json', 'device', 'browsable', 'remove', shared])), []);
    assert.notEqual((await runCli(['browse', `Desktop:${shared}`], A)).code, 0, 'refused again once removed');
  });
});
