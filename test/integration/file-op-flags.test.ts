import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ActionInfo, FileOpResult, OpPreview } from '../../src/api/index.js';
import { json, tempDir, until, type CliResult } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { s3SkipReason, startS3, type S3Server } from '../support/s3-server.js';
import { pairDaemons } from '../sync-peers.js';

interface Job { id: number; kind: string; status: string; params: string | null; error: string | null }
interface Outcome { job: Job; result: FileOpResult | null }
interface LsItem { name: string }

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0'];
const POLICIES = ['skip', 'keep-both', 'replace'] as const;
const MINE = 'from Laptop\n';

/**
 * Every flag on every branch (issue 42, faults D1): `files copy|move|delete|send` with `--dry-run`
 * (under each `--on-conflict`, with and without `--force`) to each kind of destination — a folder
 * here, a location here, a paired device's location, a bucket — shows the plan or refuses, and
 * changes nothing anywhere: not this device's disk, not the other device's, not the bucket, no job,
 * no action logged. Then the same operations run for real keep doing what they did, and `--force`
 * travels to the other device. Two real daemons paired over loopback and a real S3 server (s3rver),
 * all through the CLI, in one lifetime of each.
 */
describe('file operations: every flag on every branch', async () => {
  const skip = await s3SkipReason();
  const tmp = tempDir('vss-flags-');
  const src = join(tmp.path, 'src');
  const dst = join(tmp.path, 'dst');
  const plain = join(tmp.path, 'plain');
  const photos = join(tmp.path, 'photos');
  const inbox = join(tmp.path, 'inbox');
  const s3dir = join(tmp.path, 's3');
  let s3: S3Server;
  let A: Record<string, string> = {};
  const B = { VSS_DATA_DIR: join(tmp.path, 'b') };
  /** Where each kind of destination is, as typed, and where its taken name `victim.txt` is shown. */
  const DESTS = {
    folder: { to: `${plain}/`, taken: join(plain, 'victim.txt') },
    location: { to: `${dst}/`, taken: join(dst, 'victim.txt') },
    device: { to: 'Desk:/Photos', taken: 'Desk:/Photos/victim.txt' },
    bucket: { to: 's3://vss-test/home/in', taken: 's3://vss-test/home/in/victim.txt' },
  } as const;
  const a = (...args: string[]) => runCli(args, A);
  const ok = async (env: Record<string, string>, ...args: string[]): Promise<CliResult> => {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };

  /** Every file on both devices' disks and in the bucket's store (path, size, hash), the file jobs and the actions of the laptop. */
  const world = async (): Promise<string[]> => {
    const files: string[] = [];
    const walk = (dir: string) => {
      if (!existsSync(dir)) return;
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        const st = statSync(p);
        if (st.isDirectory()) walk(p);
        else files.push(`${relative(tmp.path, p)} ${st.size} ${createHash('sha256').update(readFileSync(p)).digest('hex').slice(0, 16)}`);
      }
    };
    for (const d of [src, dst, plain, photos, inbox, s3dir]) walk(d);
    const jobs = json<Job[]>(await ok(A, 'jobs', 'list', '--json')).filter((j) => j.kind.startsWith('files-')).map((j) => `job ${j.id} ${j.kind} ${j.status}`);
    const deskJobs = json<Job[]>(await ok(B, 'jobs', 'list', '--json')).filter((j) => j.kind.startsWith('files-')).map((j) => `desk job ${j.id}`);
    const actions = json<ActionInfo[]>(await ok(A, 'actions', 'list', '--json')).map((x) => `action ${x.op} ${x.outcome}`);
    return [...files.sort(), ...jobs, ...deskJobs, ...actions];
  };

  before(async () => {
    if (skip) return;
    for (const d of [src, dst, plain, photos, inbox]) mkdirSync(d, { recursive: true });
    writeFileSync(join(src, 'victim.txt'), MINE);
    writeFileSync(join(src, 'mv.txt'), 'move me\n');
    writeFileSync(join(src, 'sent.txt'), 'sent to the desk\n');
    writeFileSync(join(src, 'gone.txt'), 'deleted for good\n');
    writeFileSync(join(dst, 'victim.txt'), 'the location\'s own copy\n');
    writeFileSync(join(plain, 'victim.txt'), 'a plain folder\'s copy\n');
    writeFileSync(join(photos, 'victim.txt'), 'Desk\'s only copy\n');
    s3 = await startS3(s3dir, ['vss-test']);
    // Another tool's object where the copy goes: only a listing of the bucket knows it.
    const client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    try {
      await client.send(new PutObjectCommand({ Bucket: 'vss-test', Key: 'home/in/victim.txt', Body: 'put there by another tool\n' }));
    } finally {
      client.destroy();
    }
    // The laptop's daemon reaches the bucket with the environment's credentials.
    A = { VSS_DATA_DIR: join(tmp.path, 'a'), ...s3.env };
    await ok(A, 'library', 'create', 'Home', '--path', join(tmp.path, 'a-libs'));
    await ok(A, 'device', 'rename', 'Laptop');
    await ok(B, 'device', 'rename', 'Desk');
    await ok(A, 'daemon', 'start', ...LOOPBACK);
    await ok(B, 'daemon', 'start', ...LOOPBACK);
    await pairDaemons(A, B);
    await ok(A, 'location', 'add', src, '--name', 'Src', '--mode', 'content');
    await ok(A, 'location', 'add', dst, '--name', 'Dst', '--mode', 'content');
    await ok(B, 'location', 'add', photos, '--name', 'Photos', '--mode', 'content');
    await ok(B, 'files', 'inbox', '--dir', inbox);
    await ok(A, 'volumes', 'add', 's3://vss-test/home', '--endpoint', s3.endpoint, '--path-style', '--name', 'Offsite');
    // The laptop knows the desk's location and what is in it from the library feed.
    await until('the desk\'s victim.txt known to the laptop', 60_000, async () => {
      const r = await a('ls', 'Desk:/Photos', '--json');
      return r.code === 0 && json<LsItem[]>(r).some((l) => l.name === 'victim.txt') ? true : undefined;
    }, 500);
  });
  after(async () => {
    await Promise.all([runCli(['daemon', 'stop'], A), runCli(['daemon', 'stop'], B)]);
    await s3?.stop();
    tmp.cleanup();
  });

  it('the faults note\'s reproduction: a dry-run move and a replace to another device change nothing and print the plan', { skip }, async () => {
    const before = await world();
    const moved = await a('files', 'move', join(src, 'mv.txt'), 'Desk:/Photos', '--dry-run');
    assert.equal(moved.code, 0, moved.stderr);
    assert.match(moved.stdout, /^Dry run: would move 1 file, 8 B; nothing was changed$/m);
    assert.match(moved.stdout, /removes here, each once its copy there is confirmed: .*mv\.txt/);
    const replaced = await a('files', 'copy', join(src, 'victim.txt'), 'Desk:/Photos', '--on-conflict', 'replace', '--dry-run');
    assert.equal(replaced.code, 0, replaced.stderr);
    assert.match(replaced.stdout, /^Dry run: would copy 1 file, 12 B; nothing was changed$/m);
    assert.match(replaced.stdout, /1 name taken at the destination \(--on-conflict replace\):\n {4}.*src\/victim\.txt -> Desk:\/Photos\/victim\.txt\n {2}--on-conflict replace: the file there is replaced\n/);
    assert.match(replaced.stdout, /names looked up in what Desk last told this device \(Desk is online now/);
    assert.ok(existsSync(join(src, 'mv.txt')), 'the dry-run move left its source');
    assert.equal(readFileSync(join(photos, 'victim.txt'), 'utf8'), 'Desk\'s only copy\n', 'the desk\'s only copy is untouched');
    assert.deepEqual(await world(), before);
  });

  it('--dry-run of copy and move, to each kind of destination, under each --on-conflict, with and without --force: the plan or a refusal, and nothing changed anywhere', { skip }, async () => {
    const before = await world();
    for (const op of ['copy', 'move'] as const) {
      for (const [kind, dest] of Object.entries(DESTS)) {
        for (const policy of POLICIES) {
          for (const force of [false, true]) {
            const args = ['files', op, join(src, 'victim.txt'), dest.to, '--on-conflict', policy, '--dry-run', '--json', ...(force ? ['--force'] : [])];
            const what = `${op} to the ${kind}, ${policy}${force ? ', forced' : ''}`;
            const r = await a(...args);
            if (kind === 'bucket' && op === 'move') {
              assert.deepEqual([r.code, r.stdout], [2, ''], what);
              assert.match(r.stderr, /a move into a bucket is not built/, what);
            } else if (kind === 'bucket' && policy === 'replace') {
              assert.deepEqual([r.code, r.stdout], [2, ''], what);
              assert.match(r.stderr, /into a bucket, a name taken is never replaced/, what);
            } else {
              assert.equal(r.code, 0, `${what}: ${r.stderr}`);
              const p = json<OpPreview>(r);
              assert.deepEqual([p.op, p.files, p.bytes, p.on_conflict, p.conflict_count], [op, 1, MINE.length, policy, 1], what);
              assert.deepEqual(p.conflicts, [{ source: join(src, 'victim.txt'), target: dest.taken }], what);
              if (kind === 'device') assert.deepEqual(p.looked_up, { in: 'device-index', device: 'Desk', online: true }, what);
              if (kind === 'bucket') assert.deepEqual(p.looked_up, { in: 'bucket-listing', url: 's3://vss-test/home/in' }, what);
              if (kind === 'device' && op === 'move') assert.deepEqual(p.removes_here, [join(src, 'victim.txt')], what);
            }
          }
        }
      }
    }
    assert.deepEqual(await world(), before, 'no file, job or action anywhere');
  });

  it('--dry-run of a delete, a send, and of what cannot be planned (a device\'s file to delete, a location the desk does not have): the plan or a refusal, nothing changed', { skip }, async () => {
    const before = await world();
    for (const force of [[], ['--force']]) {
      const del = json<OpPreview>(await ok(A, 'files', 'delete', join(src, 'victim.txt'), '--dry-run', '--json', ...force));
      assert.deepEqual([del.op, del.files, del.below_policy.length, del.below_policy[0]?.nowhere_else, del.trash], ['delete', 1, 1, true, true], 'its last copy, named: into the trash, never refused');
      const forGood = json<OpPreview>(await ok(A, 'files', 'delete', join(src, 'victim.txt'), '--permanent', '--dry-run', '--json', ...force));
      assert.deepEqual([forGood.below_policy.length, forGood.below_policy[0]?.nowhere_else, forGood.trash], [1, undefined, undefined], 'for good: named, refused without --force');
    }
    const human = await ok(A, 'files', 'delete', join(src, 'victim.txt'), '--dry-run');
    assert.match(human.stdout, /^Dry run: would delete 1 file, 12 B; nothing was changed$/m);
    const send = json<OpPreview>(await ok(A, 'files', 'send', join(src, 'sent.txt'), '--to', 'Desk', '--dry-run', '--json'));
    assert.deepEqual([send.op, send.files, send.bytes], ['send', 1, 'sent to the desk\n'.length]);
    for (const dry of [['--dry-run'], []]) {
      const there = await a('files', 'delete', 'Desk:/Photos/victim.txt', ...dry);
      assert.equal(there.code, 2, there.stdout);
      assert.match(there.stderr, /Desk:\/Photos\/victim\.txt is not a file of this device/);
    }
    const nowhere = await a('files', 'copy', join(src, 'victim.txt'), 'Desk:/Nowhere', '--dry-run');
    assert.equal(nowhere.code, 1);
    assert.match(nowhere.stderr, /Desk has no location "Nowhere"/);
    const onConflictOfSend = await a('files', 'send', join(src, 'sent.txt'), '--to', 'Desk', '--on-conflict', 'replace', '--dry-run');
    assert.equal(onConflictOfSend.code, 2, 'a send takes no --on-conflict (its receiver names what lands in its inbox)');
    assert.deepEqual(await world(), before);
  });

  it('run for real, each keeps doing what it did: keep-both and skip to every destination, a move to a location and to the desk, a send, a delete', { skip }, async () => {
    for (const [kind, dest] of Object.entries(DESTS)) {
      const skipped = json<Outcome>(await ok(A, 'files', 'copy', join(src, 'victim.txt'), dest.to, '--on-conflict', 'skip', '--json'));
      assert.deepEqual([skipped.result?.done, skipped.result?.skipped], [0, 1], `skip to the ${kind}`);
      const both = json<Outcome>(await ok(A, 'files', 'copy', join(src, 'victim.txt'), dest.to, '--json'));
      assert.deepEqual([both.result?.done, both.result?.paths], [1, [dest.taken.replace('victim.txt', 'victim (2).txt')]], `keep-both to the ${kind}`);
    }
    assert.equal(readFileSync(join(photos, 'victim (2).txt'), 'utf8'), MINE);
    assert.equal(readFileSync(join(plain, 'victim (2).txt'), 'utf8'), MINE);
    assert.equal(readFileSync(join(photos, 'victim.txt'), 'utf8'), 'Desk\'s only copy\n', 'skip and keep-both leave the desk\'s file');

    const toDesk = json<Outcome>(await ok(A, 'files', 'move', join(src, 'mv.txt'), 'Desk:/Photos', '--json'));
    assert.equal(toDesk.job.kind, 'files-move-to-device');
    assert.equal(existsSync(join(src, 'mv.txt')), false);
    assert.equal(readFileSync(join(photos, 'mv.txt'), 'utf8'), 'move me\n');
    await ok(A, 'files', 'move', join(dst, 'victim (2).txt'), join(dst, 'renamed.txt'));
    assert.equal(readFileSync(join(dst, 'renamed.txt'), 'utf8'), MINE);

    await ok(A, 'files', 'send', join(src, 'sent.txt'), '--to', 'Desk');
    assert.equal(readFileSync(join(inbox, 'sent.txt'), 'utf8'), 'sent to the desk\n');
    const refused = await a('files', 'delete', '--permanent', join(src, 'gone.txt'));
    assert.equal(refused.code, 1, 'its last copy, for good: refused without --force');
    await ok(A, 'files', 'delete', join(src, 'gone.txt'));
    assert.equal(existsSync(join(src, 'gone.txt')), false);
  });

  it('--on-conflict replace, for real: here it replaces (forced past the Guardian); into a bucket it is refused; to the desk --force travels in the job and the place message', { skip }, async () => {
    const here = await a('files', 'copy', join(src, 'victim.txt'), `${dst}/`, '--on-conflict', 'replace');
    assert.equal(here.code, 1, 'the location\'s only copy of its content: refused without --force');
    await ok(A, 'files', 'copy', join(src, 'victim.txt'), `${dst}/`, '--on-conflict', 'replace', '--force');
    assert.equal(readFileSync(join(dst, 'victim.txt'), 'utf8'), MINE);

    const bucket = await a('files', 'copy', join(src, 'victim.txt'), 's3://vss-test/home/in', '--on-conflict', 'replace', '--force');
    assert.equal(bucket.code, 2);
    assert.match(bucket.stderr, /never replaced/);

    // Whether the desk lets its file be replaced is its own guard's to say: the laptop says what the user asked.
    for (const force of [false, true]) {
      const queued = json<Outcome>(await ok(A, 'files', 'copy', join(src, 'victim.txt'), 'Desk:/Photos', '--on-conflict', 'replace', '--detach', '--json', ...(force ? ['--force'] : []))).job;
      const params = JSON.parse(queued.params ?? '{}') as { on_conflict?: string; force?: boolean };
      assert.deepEqual([params.on_conflict, params.force], ['replace', force ? true : undefined]);
      const ended = await until(`job ${queued.id} ended`, 60_000, async () => {
        const j = json<Job>(await ok(A, 'jobs', 'info', String(queued.id), '--json'));
        return ['completed', 'failed', 'cancelled'].includes(j.status) ? j : undefined;
      }, 250);
      const there = readFileSync(join(photos, 'victim.txt'), 'utf8');
      if (ended.status === 'completed') assert.equal(there, MINE, 'replaced as asked');
      else assert.equal(there, 'Desk\'s only copy\n', `refused by the desk (${ended.error ?? ''}), and kept`);
    }
  });

  it('without the daemon: a dry run to the desk is planned from its index (not connected), the copy itself refused as before', { skip }, async () => {
    await ok(A, 'daemon', 'stop');
    const env = { ...A, VSS_NO_DAEMON: '1' };
    const before = readdirSync(src).sort();
    const plan = json<OpPreview>(await ok(env, 'files', 'copy', join(src, 'victim.txt'), 'Desk:/Photos', '--dry-run', '--json'));
    assert.deepEqual([plan.files, plan.conflict_count, plan.looked_up], [1, 1, { in: 'device-index', device: 'Desk', online: false }]);
    const real = await runCli(['files', 'copy', join(src, 'victim.txt'), 'Desk:/Photos'], env);
    assert.equal(real.code, 1);
    assert.match(real.stderr, /needs the daemon's P2P node/);
    assert.deepEqual(readdirSync(src).sort(), before);
  });
});
