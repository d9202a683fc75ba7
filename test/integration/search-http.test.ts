import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

interface Answer { status: number; body: string }

/** One real GET to the daemon's TCP port, the path sent as given. */
function get(port: number, path: string, token: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}`, authorization: `Bearer ${token}` }, timeout: 30_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer to ${path}`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * `GET /api/libraries/:lib/search` from a hostile or careless client (DESIGN §12, §14): every bad
 * parameter is a 400 that says what is wrong, never an empty 200 or a 500; a good query answers
 * `{results, pending}`.
 */
describe('search over HTTP refuses bad input with a 400 that says why (real daemon)', () => {
  const tmp = tempDir('vss-search-http-');
  const tree = join(tmp.path, 'tree');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: undefined, VSS_INSTANCE: undefined };
  let port = 0;
  let token = '';
  const search = (query: string) => get(port, `/api/libraries/current/search?${query}`, token);

  before(async () => {
    mkdirSync(tree);
    writeFileSync(join(tree, 'walrus notes.txt'), 'a text file found by its name');
    json(await runCli(['library', 'create', 'H', '--path', tmp.path, '--json'], env));
    json(await runCli(['location', 'add', tree, '--mode', 'content', '--json'], env));
    const started = await runCli(['daemon', 'start'], env);
    assert.equal(started.code, 0, started.stderr);
    const status = json<{ http: string }>(await runCli(['daemon', 'status', '--json'], env));
    port = Number(new URL(status.http).port);
    token = readFileSync(join(env.VSS_DATA_DIR, 'daemon.token'), 'utf8').trim();
  });
  after(async () => {
    await runCli(['daemon', 'stop'], env);
    tmp.cleanup();
  });

  it('answers a good query with {results, pending}', async () => {
    const a = await search('q=walrus');
    assert.equal(a.status, 200, a.body);
    const body = JSON.parse(a.body) as { results: Array<{ snippet: string; source: string }>; pending: number };
    assert.equal(typeof body.pending, 'number');
    assert.ok(body.pending >= 0);
    // The daemon indexes the scan's contents in the background: bounded retries until the name is in.
    let results = body.results;
    for (let i = 0; i < 50 && results.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 200));
      results = (JSON.parse((await search('q=walrus')).body) as typeof body).results;
    }
    assert.equal(results.length, 1);
    assert.equal(results[0]!.source, 'name');
    assert.match(results[0]!.snippet, /\[walrus\]/);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['an unknown kind', 'q=walrus&kind=bogus', /unknown kind "bogus" \(one of image/],
    ['a query over 1024 characters', `q=${'a'.repeat(1025)}`, /1025 characters long; at most 1024/],
    ['a query of 33 words', `q=${Array.from({ length: 33 }, (_, i) => `w${i}`).join('+')}`, /33 words; at most 32/],
    ['limit=0', 'q=walrus&limit=0', /limit must be a whole number from 1 to 500/],
    ['limit=501', 'q=walrus&limit=501', /limit must be a whole number from 1 to 500/],
    ['limit=abc', 'q=walrus&limit=abc', /limit must be a whole number/],
    ['a repeated q', 'q=walrus&q=notes', /q must be a string/],
    ['semantic=x', 'q=walrus&semantic=x', /semantic must be true or false/],
    ['no q', 'kind=image', /q is required/],
    ['nothing to search for', 'q=%22', /nothing to search for/],
    ['a model without semantic', 'q=walrus&model=m', /--semantic/],
    ['an unknown parameter', 'q=walrus&wait=9999', /unknown query parameter "wait"/],
  ];
  for (const [what, query, message] of bad) {
    it(`refuses ${what} with a 400 that says why`, async () => {
      const a = await search(query);
      assert.equal(a.status, 400, `${query}: ${a.status} ${a.body.slice(0, 300)}`);
      const err = (JSON.parse(a.body) as { error: { code: string; message: string } }).error;
      assert.equal(err.code, 'USAGE');
      assert.match(err.message, message);
      assert.doesNotMatch(err.message, /SQLITE|fts5/i);
    });
  }
});
