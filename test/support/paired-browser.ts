import assert from 'node:assert/strict';
import { json } from '../helpers.js';
import { cliHere } from './cli-here.js';
import type { TusParty } from './tus.js';

/**
 * A browser paired with the daemon at BASE (its loopback address) by `vss ui pair ARGS`: the
 * address opened once, its session cookie kept; the headers its app sends with each request (from
 * its own page; X-VSS-UI on those that change something, sent on all here). `ui pair` is asked of
 * the daemon by the CLI in this process (cliHere): what pairs is the daemon, whoever asks it.
 */
export async function pairedBrowser(env: Record<string, string>, base: string, args: string[]): Promise<TusParty> {
  const r = await cliHere(['--json', 'ui', 'pair', ...args], env);
  assert.equal(r.code, 0, r.stderr);
  const { url } = json<{ url: string }>(r);
  const opened = await fetch(url, { redirect: 'manual', headers: { 'sec-fetch-site': 'none' } });
  assert.equal(opened.status, 303, await opened.text());
  const cookie = (opened.headers.get('set-cookie') ?? '').split(';')[0]!;
  assert.match(cookie, /^vss_session_[0-9a-f]{8}=/);
  return { base, headers: { cookie, 'sec-fetch-site': 'same-origin', 'x-vss-ui': '1' } };
}
