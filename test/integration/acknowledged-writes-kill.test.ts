import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { FACE_SAMPLES_SKIP, makeFacePhotos } from '../support/face-photos.js';
import { json, killNow, runCli, tempDir, until, within, type CliResult } from '../helpers.js';
// The CLI in this process for the writes, what they act on and the checks (test/support/cli-here.ts): a
// client of the daemon over its socket as a child process is, which is what this file is about (the
// daemon's answer, the daemon's kill); a child process still for the rescan the writes land in, and
// the daemon's event stream read here over its HTTP address (follow()).
import { cliHere } from '../support/cli-here.js';

/**
 * DESIGN §19, "an answer the API gives is a committed fact", across real processes (the faults
 * note of 2026-11-25, defect 1): while a long scan runs in the daemon, every kind of write to a
 * library's data is made through the CLI, the daemon is killed with SIGKILL right after the last
 * answer, and once it is started again every write answered is there.
 *
 * The scan: a location of small files, then large sparse ones (no disk space, seconds of BLAKE3
 * each), read again with `rescan --force`. Its first page of small files is identified at once;
 * the writes are made while the next page, the large files, is read: where a scan held its
 * transaction open across that read, the writes made meanwhile were inside it.
 */

/** Read whole (under the 256 MiB sampling threshold); sparse, so they cost no disk. */
const BIG = 250 * 1024 * 1024;
/**
 * Enough that the scan outlasts a round's writes on a loaded two-core machine (each BLAKE3 of one
 * is 50 ms to a few hundred; each CLI call a second or more): the kill cuts the scan short.
 */
const BIG_FILES = Number(process.env.VSS_TEST_BIG_FILES ?? 240);
/** The first page of a scan's identification (identification.ts PAGE): these are read before the large files. */
const SMALL_FILES = 300;

interface Write {
  /** The operation-table row it goes through (src/api/remote/operations.ts). */
  row: string;
  args: string[];
  /** Whether its effect is there (after the restart). */
  check: () => Promise<void>;
  /** A write that acts on what this one made: made once this one is answered. */
  then?: Write;
}

interface Meta { favorite: boolean; rating: number; note: string | null; tags: string[] }
interface Tag { uuid: string; name: string; color: string | null }
interface Album { uuid: string; name: string; contents?: number }
interface Loc { id: number; name: string; path: string; generation: string | null; paused: boolean; volume_id: number | null }
interface Job { id: number; kind: string; status: string; params: string | null }
interface Volume { id: number; name: string | null; tracked: boolean; read_mbps: number | null }
interface Person { person_id: string; name: string | null; hidden: boolean; faces: number }
interface Face { face_id: string; person_id: string | null }

describe('an acknowledged write survives a kill -9 of the daemon during a long scan (real daemon, real CLI)', () => {
  const tmp = tempDir('vss-ack-kill-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const W = tmp.path;
  const big = join(W, 'big');
  const small = join(W, 'small');
  const photo = join(small, 'photo.jpg');
  const followers = new Set<{ stop: () => void }>();
  let bigId = 0;
  let photoUuid = '';
  const tally = { answered: 0, present: 0, rows: new Set<string>(), windows: [] as number[] };

  const cli = (args: string[]): Promise<CliResult> => cliHere(args, env);
  const ok = async (args: string[]): Promise<string> => {
    const r = await cli(args);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const read = async <T>(args: string[]): Promise<T> => json<T>(await cli([...args, '--json']));
  const daemonPid = async (): Promise<number> => (await read<{ pid: number }>(['daemon', 'status'])).pid;
  const meta = () => read<Meta>(['meta', 'show', photo]);
  const tags = () => read<Tag[]>(['tag', 'list']);
  const albums = () => read<Album[]>(['album', 'list']);
  const locations = () => read<Loc[]>(['location', 'list']);
  const jobs = () => read<Job[]>(['jobs', 'list']);
  const people = () => read<Person[]>(['people', 'list']);

  /**
   * The daemon's events as they come (its SSE stream, read in this process over its HTTP address
   * with its token), to see where the scan is. `ready` resolves once the daemon says the stream is
   * subscribed (`: connected`): a follower that connected after the first page's progress would
   * see none until the large files were read (the daemon replays recent events, never progress).
   */
  function follow(): { ready: Promise<void>; stop: () => void; seen: (ok: (e: { type: string; at: string; payload: Record<string, unknown> }) => boolean, ms: number) => Promise<void>; lines: () => string[] } {
    const events: Array<{ type: string; at: string; payload: Record<string, unknown> }> = [];
    const raw: string[] = [];
    const ac = new AbortController();
    let connected!: () => void;
    const ready = new Promise<void>((res) => (connected = res));
    void (async () => {
      const { http } = JSON.parse(readFileSync(join(env.VSS_DATA_DIR!, 'daemon.json'), 'utf8')) as { http: string };
      const token = readFileSync(join(env.VSS_DATA_DIR!, 'daemon.token'), 'utf8').trim();
      const res = await fetch(`${http}/api/events?follow=true&recent=false`, { headers: { authorization: `Bearer ${token}` }, signal: ac.signal });
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += value;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          if (block.startsWith(': connected')) connected();
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (!data) continue;
          raw.push(data.slice(6));
          try { events.push(JSON.parse(data.slice(6))); } catch { /* not an event */ }
        }
      }
    })().catch(() => undefined);
    const stop = () => ac.abort();
    followers.add({ stop });
    return {
      ready: within('the event stream subscribed', 30_000, ready),
      stop,
      seen: (match, ms) => until('the scan reading its large files', ms, async () => (events.some(match) ? true : undefined), 50).then(() => undefined),
      lines: () => raw.map((l) => {
        try {
          const e = JSON.parse(l) as { type: string; payload: unknown };
          return `${e.type} ${JSON.stringify(e.payload).slice(0, 160)}`;
        } catch {
          return l.slice(0, 160);
        }
      }),
    };
  }

  /**
   * The next round's `events --follow`, started as soon as its daemon is up: connected before that
   * round's rescan begins. The daemon replays its recent events to a new follower, but not
   * progress: one that connected after the first page's progress would see none until the large
   * files were read (40 s and more of hashing before the writes could start).
   */
  let nextEvents: ReturnType<typeof follow> | undefined;

  /**
   * One round: PREP makes what the writes act on (before the scan; not counted), then a forced
   * rescan of the large location starts, and once its first page is identified the writes are made
   * one after the other, each answered; SIGKILL right after the last answer, while the scan still
   * runs; the daemon started again; each write checked.
   */
  async function round(prep: () => Promise<Write[]>): Promise<void> {
    const writes = await prep();
    const events = nextEvents ?? follow();
    nextEvents = undefined;
    // Subscribed before the rescan begins: its first page's progress is what says the large files are being read.
    await events.ready;
    const started = Date.now();
    let scanEnded = false;
    const scan = runCli(['location', 'rescan', String(bigId), '--force'], env).finally(() => { scanEnded = true; });
    await events.seen((e) => e.type === 'index:progress' && e.payload.locationId === bigId && e.payload.phase === 'content'
      && Number(e.payload.done) >= 250 && Date.parse(e.at) >= started - 1000, 90_000).catch(async (err: unknown) => {
      const where = JSON.stringify((await locations()).map((l) => [l.id, l.name, (l as Loc & { scan_state: string }).scan_state]));
      throw new Error(`${(err as Error).message}; locations ${where}; the events seen: ${events.lines().slice(-8).join(' | ')}`);
    });
    const pid = await daemonPid();
    const busy = Date.now();
    const made: Write[] = [];
    const todo = [...writes];
    for (let w = todo.shift(); w; w = todo.shift()) {
      const r = await cli(w.args);
      assert.equal(r.code, 0, `${w.row}: vss ${w.args.join(' ')} was not answered done: ${r.stderr}`);
      tally.answered++;
      made.push(w);
      if (w.then) todo.push(w.then);
    }
    tally.windows.push(Date.now() - busy);
    assert.equal(scanEnded, false, 'the daemon is killed while the scan still runs (else this round tests nothing: more large files, VSS_TEST_BIG_FILES)');
    await killNow(pid, 'the daemon');
    await within('the cut-off rescan command ends', 30_000, scan);
    events.stop();
    await ok(['daemon', 'start']);
    nextEvents = follow();
    const lost: string[] = [];
    for (const w of made) {
      tally.rows.add(w.row);
      try {
        await w.check();
        tally.present++;
      } catch (err) {
        lost.push(`${w.row} (vss ${w.args.join(' ')}): ${(err as Error).message.split('\n')[0]}`);
      }
    }
    assert.deepEqual(lost, [], `writes answered and then lost to the kill: ${lost.length} of ${made.length}`);
  }

  before(async () => {
    // The scanned location: small files first (the first page), then the large sparse ones. Their
    // rows are read in id order: the large files are made once the small ones have rows (a first
    // scan writes a small file's row only once it is read, after the large ones' rows: held-files.ts).
    mkdirSync(join(big, 'zz'), { recursive: true });
    for (let i = 0; i < SMALL_FILES; i++) writeFileSync(join(big, `s${String(i).padStart(4, '0')}.dat`), `small ${i}\n`);
    const makeBig = () => {
      for (let i = 0; i < BIG_FILES; i++) {
        writeFileSync(join(big, 'zz', `b${i}.bin`), '');
        truncateSync(join(big, 'zz', `b${i}.bin`), BIG - i);
      }
    };
    // The location the writes are about.
    mkdirSync(join(small, 'sub'), { recursive: true });
    await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3a7' } }).jpeg().toFile(photo);
    for (const n of ['a', 'b', 'c']) writeFileSync(join(small, `${n}.txt`), `file ${n}\n`);
    await ok(['library', 'create', 'Kept', '--path', W]);
    // Identified once here, so a kill leaves nothing for the next start to identify: each round's
    // `rescan --force` reads every file again, and is cut short. Identified by samples (the
    // library's smallest hash threshold, 16 MiB): reading the 60 GB whole here cost a minute of
    // CPU, and each round's forced rescan reads the files whole again (the default threshold is
    // put back before the rounds; were it not, they would sample, end at once and fail each round's
    // check that the scan still runs), so what the rounds test is unchanged.
    const config = join(W, 'Kept.sdlibrary', 'library.json');
    const settings = (JSON.parse(readFileSync(config, 'utf8')) as { settings?: Record<string, unknown> }).settings;
    const withThreshold = (threshold: number | undefined) => {
      const c = JSON.parse(readFileSync(config, 'utf8')) as { settings?: Record<string, unknown> };
      c.settings = { ...c.settings, hashThresholdBytes: threshold };
      if (threshold === undefined) delete c.settings.hashThresholdBytes;
      writeFileSync(config, JSON.stringify(c));
    };
    withThreshold(16 * 1024 * 1024);
    await ok(['daemon', 'start']);
    bigId = (await read<{ location_id: number }>(['location', 'add', big, '--mode', 'content'])).location_id;
    makeBig();
    await ok(['location', 'rescan', String(bigId)]);
    await ok(['daemon', 'stop']);
    withThreshold(settings?.hashThresholdBytes as number | undefined);
    await ok(['daemon', 'start']);
    await ok(['location', 'add', small, '--mode', 'content']);
    photoUuid = (await meta() as Meta & { content_uuid: string }).content_uuid;
    assert.ok(photoUuid);
    nextEvents = follow();
  }, { timeout: 300_000 });

  after(async () => {
    for (const f of followers) f.stop();
    await cli(['daemon', 'stop']);
    tmp.cleanup();
  });

  it('tags and a content\'s metadata', { timeout: 300_000 }, async () => {
    await round(async () => {
      for (const t of ['Summer', 'Old', 'Draft', 'Gone', 'From', 'Into']) await ok(['tag', 'create', t]);
      await ok(['tag', 'add', 'Old', photo]);
      await ok(['tag', 'add', 'From', photo]);
      const tagNames = async () => (await tags()).map((t) => t.name);
      return [
        { row: 'metaSet', args: ['meta', 'set', photo, '--favorite', '--rating', '5', '--note', 'kept'], check: async () => {
          const m = await meta();
          assert.deepEqual([m.favorite, m.rating, m.note], [true, 5, 'kept']);
        } },
        { row: 'tagsCreate', args: ['tag', 'create', 'Trips', '--color', '#3366cc'], check: async () => {
          assert.equal((await tags()).find((t) => t.name === 'Trips')?.color, '#3366cc');
        } },
        { row: 'tagsAdd', args: ['tag', 'add', 'Summer', photo], check: async () => assert.ok((await meta()).tags.includes('Summer')) },
        { row: 'tagsRemove', args: ['tag', 'remove', 'Old', photo], check: async () => assert.ok(!(await meta()).tags.includes('Old')) },
        { row: 'tagsChange', args: ['tag', 'set', 'Draft', '--name', 'Final'], check: async () => {
          const names = await tagNames();
          assert.ok(names.includes('Final') && !names.includes('Draft'), names.join());
        } },
        { row: 'tagsDelete', args: ['tag', 'delete', 'Gone'], check: async () => assert.ok(!(await tagNames()).includes('Gone')) },
        { row: 'tagsMerge', args: ['tag', 'merge', 'From', 'Into'], check: async () => {
          assert.ok(!(await tagNames()).includes('From'));
          assert.ok((await meta()).tags.includes('Into'));
        } },
        { row: 'xmpExport', args: ['xmp', 'export', photo], check: async () => {
          assert.ok(readdirSync(small).some((n) => n.startsWith('photo') && n.endsWith('.xmp')), 'the XMP sidecar file is there');
        } },
      ];
    });
  });

  it('albums, policies and generation settings', { timeout: 300_000 }, async () => {
    await round(async () => {
      for (const a of ['Beach', 'Out', 'Draft', 'Bin']) await ok(['album', 'create', a]);
      await ok(['album', 'add', 'Out', photo]);
      const albumNamed = async (name: string) => (await albums()).find((a) => a.name === name);
      const inAlbum = async (name: string) => (await read<{ contents: string[] }>(['album', 'show', name])).contents;
      return [
        { row: 'albumsCreate', args: ['album', 'create', 'Holiday'], check: async () => assert.ok(await albumNamed('Holiday')) },
        { row: 'albumsAdd', args: ['album', 'add', 'Beach', photo], check: async () => assert.deepEqual(await inAlbum('Beach'), [photoUuid]) },
        { row: 'albumsRemove', args: ['album', 'remove', 'Out', photo], check: async () => assert.deepEqual(await inAlbum('Out'), []) },
        { row: 'albumsChange', args: ['album', 'rename', 'Draft', 'Final'], check: async () => {
          assert.ok(await albumNamed('Final'));
          assert.equal(await albumNamed('Draft'), undefined);
        } },
        { row: 'albumsDelete', args: ['album', 'delete', 'Bin'], check: async () => assert.equal(await albumNamed('Bin'), undefined) },
        { row: 'guardianSetPolicy', args: ['guardian', 'policy', '--copies', '3'], check: async () => {
          const p = await read<Array<{ scope: string; copies: number }>>(['guardian', 'policy']);
          assert.equal(p.find((x) => x.scope === 'library')?.copies, 3);
        } },
        { row: 'guardianSetPolicy', args: ['guardian', 'policy', '--location', small, '--copies', '4'], check: async () => {
          const p = await read<Array<{ scope: string; copies: number }>>(['guardian', 'policy']);
          assert.equal(p.find((x) => x.scope === 'location')?.copies, 4);
        } },
        { row: 'policySet', args: ['library', 'policy', 'thumb=grid@1x,ocr'], check: async () => {
          assert.equal((await read<{ policy: string }>(['library', 'policy'])).policy, 'thumb=grid@1x,ocr=default');
        } },
        { row: 'locationsPolicy', args: ['location', 'policy', small, 'thumb=grid@2x'], check: async () => {
          assert.equal((await locations()).find((l) => l.path === small)?.generation, 'thumb=grid@2x');
        } },
        { row: 'guardianScrubSettings', args: ['guardian', 'scrub-settings', '--every', '9'], check: async () => {
          assert.equal((await read<{ every_days: number }>(['guardian', 'scrub-settings'])).every_days, 9);
        } },
      ];
    });
  });

  it('locations, volumes and this device', { timeout: 300_000 }, async () => {
    const dirs = ['third', 'fourth', 'fifth'].map((n) => join(W, n));
    for (const d of dirs) mkdirSync(d);
    const inbox = join(W, 'inbox');
    await round(async () => {
      await ok(['location', 'add', dirs[1]!, '--mode', 'shallow']);
      await ok(['location', 'pause', dirs[1]!]);
      await ok(['location', 'add', dirs[2]!, '--mode', 'shallow']);
      const volume = (await locations()).find((l) => l.path === small)!.volume_id!;
      const vol = async () => (await read<Volume[]>(['volumes', 'list'])).find((v) => v.id === volume)!;
      const loc = async (path: string) => (await locations()).find((l) => l.path === path);
      return [
        { row: 'locationsAdd', args: ['location', 'add', dirs[0]!, '--mode', 'shallow'], check: async () => assert.ok(await loc(dirs[0]!)),
          then: { row: 'locationsPause', args: ['location', 'pause', dirs[0]!], check: async () => assert.equal((await loc(dirs[0]!))?.paused, true) } },
        { row: 'locationsResume', args: ['location', 'resume', dirs[1]!], check: async () => assert.equal((await loc(dirs[1]!))?.paused, false) },
        { row: 'locationsRemove', args: ['location', 'remove', dirs[2]!], check: async () => assert.equal(await loc(dirs[2]!), undefined) },
        { row: 'volumesTrack', args: ['volumes', 'track', String(volume), '--name', 'Kept disk'], check: async () => {
          const v = await vol();
          assert.deepEqual([v.tracked, v.name], [true, 'Kept disk']);
        } },
        { row: 'volumesSpeed', args: ['volumes', 'speed', String(volume)], check: async () => assert.ok((await vol()).read_mbps !== null) },
        { row: 'deviceRename', args: ['device', 'rename', 'Kept-Device'], check: async () => assert.equal((await read<{ name: string }>(['device', 'info'])).name, 'Kept-Device') },
        { row: 'cpuBudgetSet', args: ['device', 'cpu-budget', '2'], check: async () => assert.equal((await read<{ cpu_budget: number }>(['device', 'cpu-budget'])).cpu_budget, 2) },
        { row: 'syncSettingsSet', args: ['sync', 'settings', '--prefer', 'generate'], check: async () => assert.equal((await read<{ prefer: string }>(['sync', 'settings'])).prefer, 'generate') },
        { row: 'inboxSet', args: ['files', 'inbox', '--dir', inbox], check: async () => assert.equal((await read<{ dir: string }>(['files', 'inbox'])).dir, inbox) },
      ];
    });
  });

  it('file operations, a copy out and a sidecar asked for', { timeout: 300_000 }, async () => {
    const out = join(W, 'out');
    mkdirSync(out);
    await round(async () => {
      const indexed = async (rel: string) => (await read<Array<{ name: string }>>(['ls', `/small/${rel}`])).map((e) => e.name);
      return [
        { row: 'filesCopy', args: ['files', 'copy', join(small, 'a.txt'), join(small, 'sub')], check: async () => {
          assert.ok(existsSync(join(small, 'sub', 'a.txt')));
          assert.ok((await indexed('sub')).includes('a.txt'));
        } },
        { row: 'filesMove', args: ['files', 'move', join(small, 'b.txt'), join(small, 'sub')], check: async () => {
          assert.ok((await indexed('sub')).includes('b.txt'));
          assert.ok(!(await indexed('')).includes('b.txt'));
        } },
        { row: 'filesDelete', args: ['files', 'delete', join(small, 'c.txt'), '--force'], check: async () => {
          assert.ok(!existsSync(join(small, 'c.txt')));
          assert.ok(!(await indexed('')).includes('c.txt'));
        } },
        { row: 'contentGet', args: ['content', 'get', photoUuid, '--to', out], check: async () => {
          assert.ok(existsSync(join(out, 'photo.jpg')));
          assert.ok((await jobs()).some((j) => j.kind === 'content-get' && j.status === 'completed'));
        } },
        { row: 'sidecarsPath', args: ['sidecars', 'path', photoUuid, 'thumb', 'grid@1x'], check: async () => {
          const rows = await read<Array<{ kind: string; variant: string }>>(['sidecars', 'list', '--content', photoUuid]);
          assert.ok(rows.some((r) => r.kind === 'thumb' && r.variant === 'grid@1x'));
        } },
      ];
    });
  });

  it('the jobs\' bookkeeping', { timeout: 300_000 }, async () => {
    const slow = [1, 2, 3, 4].map((i) => join(W, `slow${i}`));
    await round(async () => {
      // Scrub jobs that run for minutes (1 MB/s over 100 MB): the jobs acted on.
      await ok(['guardian', 'scrub-settings', '--rate', '1']);
      const scrubs: number[] = [];
      for (const d of slow) {
        mkdirSync(d);
        writeFileSync(join(d, 'slow.bin'), '');
        truncateSync(join(d, 'slow.bin'), 100 * 1024 * 1024);
        await ok(['location', 'add', d, '--mode', 'content']);
        scrubs.push((await read<{ job_id: number }>(['guardian', 'scrub', d, '--detach'])).job_id);
      }
      await ok(['jobs', 'pause', String(scrubs[1])]);
      await ok(['jobs', 'cancel', String(scrubs[2])]);
      const volume = (await locations()).find((l) => l.path === small)!.volume_id!;
      const status = async (id: number) => (await jobs()).find((j) => j.id === id)?.status;
      return [
        { row: 'jobsPause', args: ['jobs', 'pause', String(scrubs[0])], check: async () => assert.equal(await status(scrubs[0]!), 'paused') },
        { row: 'jobsResume', args: ['jobs', 'resume', String(scrubs[1])], check: async () => assert.match((await status(scrubs[1]!)) ?? '', /queued|running/) },
        { row: 'jobsRetry', args: ['jobs', 'retry', String(scrubs[2])], check: async () => assert.match((await status(scrubs[2]!)) ?? '', /queued|running/) },
        { row: 'jobsCancel', args: ['jobs', 'cancel', String(scrubs[3])], check: async () => assert.equal(await status(scrubs[3]!), 'cancelled') },
        { row: 'volumesUntrack', args: ['volumes', 'untrack', String(volume)], check: async () => {
          assert.equal((await read<Volume[]>(['volumes', 'list'])).find((v) => v.id === volume)?.tracked, false);
        } },
      ];
    });
  });

  it('people and faces', { skip: FACE_SAMPLES_SKIP, timeout: 300_000 }, async () => {
    const faces = join(W, 'faces');
    const photos = await makeFacePhotos(faces);
    await ok(['location', 'add', faces, '--mode', 'deep', '--generate', 'faces']);
    // The daemon makes the faces; two people are found once it has.
    const found = await until('two people found', 180_000, async () => {
      const list = await people();
      return list.length === 2 ? list : undefined;
    }, 500);
    const [first, second] = found;
    const third = (await read<Face[]>(['faces', 'list', photos.both[0]!])).find((f) => f.person_id === null)!;
    await round(async () => {
      await ok(['people', 'hide', second!.person_id]);
      const person = async (id: string) => (await people()).find((p) => p.person_id === id);
      return [
        { row: 'peopleName', args: ['people', 'name', first!.person_id, 'Ana'], check: async () => assert.equal((await person(first!.person_id))?.name, 'Ana') },
        { row: 'peopleHide', args: ['people', 'hide', first!.person_id], check: async () => assert.equal((await person(first!.person_id))?.hidden, true) },
        { row: 'peopleShow', args: ['people', 'show', second!.person_id], check: async () => assert.equal((await person(second!.person_id))?.hidden, false) },
        { row: 'facesAssign', args: ['faces', 'assign', third.face_id, 'Cleo'], check: async () => {
          const cleo = (await people()).find((p) => p.name === 'Cleo');
          assert.ok(cleo, 'the face\'s new person');
          assert.equal((await read<Face[]>(['faces', 'list', photos.both[0]!])).find((f) => f.face_id === third.face_id)?.person_id, cleo.person_id);
        } },
      ];
    });
  });

  it('counts: every write answered is there after the kill', () => {
    // eslint-disable-next-line no-console
    console.log(`# ${tally.present} of ${tally.answered} acknowledged writes present after kill -9 (${tally.rows.size} operation rows; writes made over ${tally.windows.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')} of a running scan)`);
    assert.equal(tally.present, tally.answered);
  });
});
