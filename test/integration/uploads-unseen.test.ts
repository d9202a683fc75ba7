import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import fc from 'fast-check';
import { FIXTURES, FIXTURES_SKIP, json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { pairedBrowser } from '../support/paired-browser.js';
import { tusCreate, tusPath, tusRequest, tusSend, type TusParty } from '../support/tus.js';

interface Status { http: string }

const LIBRARY = 'Kestrel Archive';
/** Names a browser sends: plain, with a space, 255 bytes long, and one holding the library's name. */
const NAMES = ['a.jpg', 'IMG 1.jpg', `${'é'.repeat(125)}x.jpg`, `${LIBRARY}.jpg`];
/** Routes such a browser may not call: their refusals are answers too. */
const ELSEWHERE = ['/api/libraries', '/api/health', '/api/libraries/current/grid?limit=5', '/api/libraries/current/locations', `/api/browse-folder?path=${encodeURIComponent('/tmp')}`];

type Ask =
  | { kind: 'me' } | { kind: 'current' } | { kind: 'check'; ids: string[] }
  | { kind: 'send'; name: string; variant: number } | { kind: 'create'; name: string; length: number }
  | { kind: 'head' } | { kind: 'finish'; last: boolean } | { kind: 'blocked' } | { kind: 'elsewhere'; path: string } | { kind: 'delete' };

/**
 * A browser paired `--may upload` learns no path of this machine and no library's name (issue 57,
 * N5; daemon/ui/unseen.ts), whatever it asks and however the daemon answers: the library it
 * uploads to, its landed files, tus's HEAD, a landing that failed deep inside, a refusal. A real
 * daemon on loopback; the browser's requests, in any order, are fast-check's.
 */
describe('a browser that may only upload is told no path and no library name', { skip: FIXTURES_SKIP, timeout: 300_000 }, () => {
  const tmp = tempDir('vss-upload-unseen-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const photos = join(tmp.path, 'photos');
  const uploadsTo = join(photos, 'Phone');
  let phone: TusParty = { base: '', headers: {} };
  const jpeg = () => readFileSync(join(FIXTURES, 'exif/Canon_40D.jpg'));
  const video = () => readFileSync(join(FIXTURES, 'video/photoprism-christmas-noaudio.mp4'));
  let held = '';

  before(async () => {
    mkdirSync(uploadsTo, { recursive: true });
    writeFileSync(join(photos, 'held.jpg'), jpeg());
    // A file where the folder of January 2024 would go: a video dated then cannot land (an error from inside the landing, naming its path).
    writeFileSync(join(uploadsTo, '2024'), 'in the way\n');
    const offline = { ...env, VSS_NO_DAEMON: '1' };
    json(await runCli(['--json', 'library', 'create', LIBRARY, '--path', tmp.path], offline));
    json(await runCli(['--json', 'location', 'add', photos], offline));
    assert.equal((await runCli(['daemon', 'start'], env)).code, 0);
    const base = json<Status>(await runCli(['--json', 'daemon', 'status'], env)).http;
    phone = await pairedBrowser(env, base, ['--name', 'Drop box', '--may', 'upload', '--uploads-to', uploadsTo]);
    held = blake3(jpeg()).toString('hex');
  });
  after(async () => {
    await runCli(['daemon', 'stop'], env);
    tmp.cleanup();
  });

  /** Everything an answer tells: its status, every header (tus's Upload-Metadata decoded), its body. */
  const told = async (r: Response): Promise<string> => {
    const headers = [...r.headers].map(([k, v]) => `${k}: ${v}`);
    const meta = (r.headers.get('upload-metadata') ?? '').split(',').map((p) => Buffer.from(p.trim().split(' ')[1] ?? '', 'base64').toString('utf8'));
    return [`${r.status} ${r.statusText}`, ...headers, ...meta, await r.text()].join('\n');
  };
  const secrets = () => [tmp.path, realpathSync(tmp.path), LIBRARY, env.VSS_DATA_DIR, photos, uploadsTo];
  const assertBlind = (what: string, text: string) => {
    for (const s of secrets()) assert.ok(!text.includes(s), `${what} tells ${JSON.stringify(s)}:\n${text}`);
    assert.doesNotMatch(text, /(^|[^\w.~/-])\/(tmp|root|home|work|var|usr|etc|proc)(\/|\b)/m, `${what} tells a path:\n${text}`);
  };

  it('tells none in any answer, in any order of requests', async () => {
    const ask: fc.Arbitrary<Ask> = fc.oneof(
      fc.constant({ kind: 'me' as const }), fc.constant({ kind: 'current' as const }),
      fc.record({ kind: fc.constant('check' as const), ids: fc.array(fc.oneof(fc.constant('held'), fc.stringMatching(/^[0-9a-f]{64}$/)), { maxLength: 3 }) }),
      fc.record({ kind: fc.constant('send' as const), name: fc.constantFrom(...NAMES), variant: fc.integer({ min: 0, max: 4 }) }),
      fc.record({ kind: fc.constant('create' as const), name: fc.constantFrom(...NAMES, 'page.html'), length: fc.constantFrom(10, 5 * 1024 ** 3, 65 * 1024 ** 3) }),
      fc.constant({ kind: 'head' as const }), fc.record({ kind: fc.constant('finish' as const), last: fc.boolean() }),
      fc.constant({ kind: 'blocked' as const }), fc.record({ kind: fc.constant('elsewhere' as const), path: fc.constantFrom(...ELSEWHERE) }),
      fc.constant({ kind: 'delete' as const }),
    );
    await fc.assert(fc.asyncProperty(fc.array(ask, { minLength: 1, maxLength: 6 }), async (asks) => {
      let last: string | undefined;
      const made: string[] = [];
      for (const a of asks) {
        let r: Response;
        switch (a.kind) {
          case 'me': r = await fetch(`${phone.base}/api/ui/me`, { headers: phone.headers }); break;
          case 'current': r = await fetch(`${phone.base}/api/libraries/current`, { headers: phone.headers }); break;
          case 'check': r = await fetch(`${phone.base}/api/uploads/check`, { method: 'POST', headers: { ...phone.headers, 'content-type': 'application/json' }, body: JSON.stringify({ cas_ids: a.ids.map((i) => (i === 'held' ? held : i)) }) }); break;
          case 'send': {
            const sent = await tusSend(phone, Buffer.concat([jpeg(), Buffer.from(`variant ${a.variant}`)]), a.name);
            last = sent.upload ?? last;
            r = sent;
            break;
          }
          case 'create':
            r = await tusCreate(phone, a.length, a.name, 'a'.repeat(64));
            if (r.status === 201) made.push(last = tusPath(r));
            break;
          case 'head': r = await tusRequest(phone, 'HEAD', last ?? '/api/uploads/tus/0123456789abcdef0123456789abcdef'); break;
          case 'finish': r = await fetch(`${phone.base}/api/uploads/finish`, { method: 'POST', headers: { ...phone.headers, 'content-type': 'application/json' }, body: JSON.stringify({ id: a.last && last ? last.split('/').pop() : 'f'.repeat(32) }) }); break;
          case 'blocked': {
            // Its last byte's answer, then the finish asked again: the landing fails inside, on the file in the way.
            const sent = await tusSend(phone, video(), 'clip.mp4', Date.UTC(2024, 0, 15));
            assertBlind('the failed landing\'s PATCH', await told(sent));
            assert.ok(sent.upload);
            made.push(last = sent.upload);
            r = await fetch(`${phone.base}/api/uploads/finish`, { method: 'POST', headers: { ...phone.headers, 'content-type': 'application/json' }, body: JSON.stringify({ id: sent.upload.split('/').pop() }) });
            assert.ok(r.status >= 500, `the landing failed: ${r.status}`);
            break;
          }
          case 'elsewhere': r = await fetch(`${phone.base}${a.path}`, { headers: phone.headers }); break;
          case 'delete': r = await tusRequest(phone, 'DELETE', last ?? '/api/uploads/tus/0123456789abcdef0123456789abcdef'); break;
        }
        assertBlind(`${a.kind} (${JSON.stringify(a)})`, await told(r));
      }
      // Its unfinished uploads cancelled: the next run starts with room among its 200.
      for (const at of made) await tusRequest(phone, 'DELETE', at);
    }), { numRuns: 25 });
  });

  it('still tells it where its own files went, from its uploads folder', async () => {
    const sent = await tusSend(phone, Buffer.concat([jpeg(), Buffer.from('its own')]), 'own.jpg');
    assert.equal(sent.status, 200);
    assert.deepEqual(await sent.json(), { path: '2008/05/own.jpg', already: false });
  });
});
