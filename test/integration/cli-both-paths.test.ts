import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, FIXTURES_SKIP, tempDir, type CliResult } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

/**
 * DESIGN §11: with a daemon running for the data dir every command goes through it, with the same
 * output and the same exit codes as in-process. The same script of commands runs both ways over
 * the same files; the two transcripts must be equal once the temp folder, times and random ids are
 * named alike. (A location added while the daemon already holds the library must report the files
 * it found, not leave them to the watcher.)
 */
const SCRIPT: Array<{ args: string[]; stdin?: never }> = [
  { args: ['library', 'create', 'Both', '--path', '<root>'] },
  { args: ['library', 'current', '--json'] },
  { args: ['location', 'add', '<root>/pics', '--mode', 'content', '--json'] },
  { args: ['location', 'add', '<root>/pics'] },
  { args: ['location', 'add', '<root>/nope'] },
  // The address tells a folder from a bucket, in the core (both ways the same): bucket options on a folder, a name no bucket has.
  { args: ['location', 'add', '<root>/more', '--endpoint', 'http://127.0.0.1:9'] },
  { args: ['location', 'add', 's3://Not_A_Bucket/photos'] },
  { args: ['location', 'list', '--json'] },
  { args: ['location', 'list'] },
  { args: ['location', 'rescan', '1'] },
  { args: ['location', 'rescan', '99'] },
  { args: ['location', 'rescan', 'abc'] },
  { args: ['location', 'policy', '1', 'thumb=grid@1x'] },
  { args: ['content', 'list', '--json'] },
  { args: ['content', 'list', '--kind', 'image'] },
  { args: ['content', 'list', '--kind', 'nonsense'] },
  { args: ['search', 'note', '--json'] },
  { args: ['search', 'Note*'] },
  { args: ['search', 'fo"x', '--json'] },
  { args: ['search', '"'] },
  { args: ['search', 'note', '--kind', 'bogus'] },
  { args: ['search', 'note', '--limit', '999'] },
  { args: ['search', 'note', '--semantic', '--json'] },
  { args: ['search', 'note', '--model', 'm'] },
  { args: ['search', 'reindex', '--json'] },
  { args: ['content', 'list', '--location', '9'] },
  { args: ['sidecars', 'list', '--json'] },
  { args: ['sidecars', 'list', '--status', 'bogus'] },
  { args: ['sidecars', 'presence', '00000000-0000-4000-8000-000000000000', '--kind', 'thumb', '--json'] },
  { args: ['sidecars', 'path', '00000000-0000-4000-8000-000000000000', 'thumb', 'grid@1x'] },
  { args: ['sidecars', 'path', '00000000-0000-4000-8000-000000000000', 'nokind', 'x'] },
  { args: ['sidecars', 'reconcile', '--json'] },
  { args: ['sidecars', 'convert-references', '--force', '--json'] },
  { args: ['jobs', 'list', '--json'] },
  { args: ['jobs', 'list', '--status', 'nope'] },
  { args: ['jobs', 'retry', '12345'] },
  { args: ['jobs', 'info', '12345'] },
  { args: ['jobs', 'pause', '12345', '--json'] },
  { args: ['library', 'policy', '--json'] },
  { args: ['library', 'policy', 'thumb=grid@1x,ocr', '--json'] },
  { args: ['library', 'list', '--json'] },
  { args: ['library', 'stats', '--json'] },
  { args: ['library', 'stats'] },
  { args: ['library', 'switch', 'Nope'] },
  { args: ['library', 'close', '--json'] },
  { args: ['library', 'current'] },
  { args: ['library', 'stats'] },
  { args: ['library', 'switch', 'Both', '--json'] },
  { args: ['library', 'current'] },
  { args: ['models', 'list', '--json'] },
  { args: ['device', 'cpu-budget', '9999'] },
  { args: ['device', 'cpu-budget', 'lots'] },
  { args: ['device', 'cpu-budget', '1', '--json'] },
  { args: ['device', 'cpu-budget', 'default'] },
  { args: ['models', 'add', 'whisper', '<root>/nothing.bin'] },
  { args: ['location', 'add', '<root>/more', '--mode', 'content', '--json'] },
  { args: ['location', 'pause', '2'] },
  { args: ['location', 'pause', '99'] },
  { args: ['location', 'resume', '2', '--json'] },
  { args: ['guardian', 'status', '--json'] },
  { args: ['guardian', 'policy', '--copies', '3', '--devices', '1'] },
  { args: ['guardian', 'policy', '--location', '1', '--offsite', '1'] },
  { args: ['guardian', 'policy', '--tag', 'nope', '--copies', '2'] },
  { args: ['guardian', 'policy', '--copies', 'x'] },
  { args: ['guardian', 'policy'] },
  { args: ['guardian', 'list', '--at-risk', '--limit', '2', '--json'] },
  { args: ['guardian', 'list'] },
  { args: ['guardian', 'protect', '--to', 'Laptop:/Photos'] },
  { args: ['guardian', 'protect', '--dry-run', '--to', 'nodrive'] },
  { args: ['location', 'remove', '1', '--json'] },
  { args: ['content', 'list'] },
  { args: ['files', 'copy', '<root>/more/m0.txt', '<root>/more/sub/'] },
  { args: ['files', 'delete', '<root>/more/sub/m0.txt', '--json'] },
  { args: ['files', 'delete', '<root>/more/m1.txt', '--dry-run', '--json'] },
  { args: ['files', 'delete', '<root>/more/m1.txt', '--dry-run'] },
  { args: ['files', 'delete', '<root>/more/gone.txt', '--dry-run'] },
  { args: ['files', 'delete', '<root>/more/m1.txt'] },
  { args: ['actions', 'list', '--json'] },
  { args: ['actions', 'list', '--limit', '0'] },
];

function normalize(text: string, root: string): string {
  return text
    .split(root).join('<root>')
    .replace(/"duration_ms": \d+/g, '"duration_ms": 0')
    .replace(/ in \d+(\.\d+)? (ms|s)/g, ' in <t>')
    .replace(/"(id|library_id|uuid|device_id)": "[0-9a-f-]{36}"/g, '"$1": "<uuid>"')
    .replace(/content [0-9a-f-]{36}/g, 'content <uuid>')
    .replace(/"device_id": ?"[0-9a-f-]{36}"/g, '"device_id":"<uuid>"')
    .replace(/"(last_seen|verified_at)": \d+/g, '"$1": <time>')
    // A drive's free space moves with whatever else writes to it between the two runs.
    .replace(/"free_bytes": \d+/g, '"free_bytes": <bytes>')
    .replace(/\([\d.]+ [KMGT]?i?B free of /g, '(<bytes> free of ')
    .replace(/"(created_at|updated_at|last_scan_started_at|last_scan_completed_at|at|started_at|finished_at)": ("[^"]*"|\d+)/g, '"$1": <time>');
}

async function transcript(viaDaemon: boolean): Promise<string[]> {
  const tmp = tempDir('vss-both-');
  const root = tmp.path;
  const env = { VSS_DATA_DIR: join(root, 'data'), VSS_NO_DAEMON: undefined };
  mkdirSync(join(root, 'pics', 'sub'), { recursive: true });
  copyFileSync(join(FIXTURES, 'exif', 'Canon_40D.jpg'), join(root, 'pics', 'a.jpg'));
  copyFileSync(join(FIXTURES, 'exif', 'Canon_40D.jpg'), join(root, 'pics', 'sub', 'same.jpg'));
  writeFileSync(join(root, 'pics', 'note.txt'), 'hello');
  mkdirSync(join(root, 'more'));
  for (let i = 0; i < 5; i++) writeFileSync(join(root, 'more', `m${i}.txt`), `more ${i}`);
  const lines: string[] = [];
  let started: CliResult | undefined;
  try {
    if (viaDaemon) {
      started = await runCli(['daemon', 'start'], env);
      assert.equal(started.code, 0, started.stderr);
    }
    for (const step of SCRIPT) {
      const args = step.args.map((a) => a.replace('<root>', root));
      const r = await runCli(args, env);
      lines.push(`$ vss ${step.args.join(' ')}\nexit ${r.code}\n--- stdout\n${normalize(r.stdout, root)}--- stderr\n${normalize(r.stderr, root)}`);
    }
    if (viaDaemon) {
      const status = await runCli(['daemon', 'status', '--json'], env);
      assert.equal(JSON.parse(status.stdout).running, true, 'the daemon answered every command above');
    }
  } finally {
    if (viaDaemon) await runCli(['daemon', 'stop'], env);
    tmp.cleanup();
  }
  return lines;
}

describe('cli: the same commands in-process and through the daemon', { skip: FIXTURES_SKIP }, () => {
  after(() => undefined);

  it('prints the same output and exits with the same codes both ways', async () => {
    const inProcess = await transcript(false);
    const viaDaemon = await transcript(true);
    assert.ok(inProcess.some((l) => l.includes('\nexit 2\n')), 'the script has usage errors');
    assert.ok(inProcess.some((l) => l.includes('\nexit 1\n')), 'and failures');
    assert.equal(viaDaemon.length, inProcess.length);
    for (let i = 0; i < inProcess.length; i++) assert.equal(viaDaemon[i], inProcess[i]);
    const step = (args: string) => inProcess.find((l) => l.startsWith(`$ vss ${args}\n`)) ?? '';
    assert.match(step('location add <root>/more --endpoint http://127.0.0.1:9'), /\nexit 2\n[\s\S]*are for a bucket/);
    assert.match(step('location add s3://Not_A_Bucket/photos'), /\nexit 2\n[\s\S]*not a bucket name/);
  });
});
