import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, chmodSync, chownSync, copyFileSync, linkSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOMParser, XMLSerializer, type Element, type Node } from '@xmldom/xmldom';
import { APPLE_PHOTOS, BRIDGE, DARKTABLE, DIGIKAM, DIGIKAM_TOP_LEVEL, EXIFTOOL, LIGHTROOM } from '../../src/media/xmp/xmp-samples.test-data.js';
import { readXmpRaw, readXmpSidecar } from '../../src/media/xmp/xmp-sidecar-read.js';
import { FIXTURES, FIXTURES_SKIP, VSS_BIN, json, outputOf, runCli as runCliChild, tempDir, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
// What must die at a crash point, stop mid-export or run as another user stays a child process.
import { cliHere as runCli } from '../support/cli-here.js';

interface Meta { content_uuid: string; rating: number; tags: string[] }
interface Tag { name: string; path: string[] }
interface Exported { written: string[]; created: string[]; unchanged: number; problems: Array<{ path: string; reason: string }> }

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
const HOSTILE = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><x:xmpmeta xmlns:x="adobe:ns:meta/">&b;</x:xmpmeta>';

/**
 * XMP sidecars (DESIGN §16) as a digiKam user's folder has them: a deep index reads their rating
 * and keywords into vss's tags and metadata; `vss xmp export` writes vss's changes back into them
 * (and makes one where there is none), keeping what vss does not own; the photos stay byte-identical;
 * a sidecar that is not valid XMP is skipped with its reason and never overwritten.
 */
describe('XMP sidecars from other photo tools', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir('vss-xmp-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const photos = join(tmp.path, 'photos');
  const at = (n: string) => join(photos, n);
  const before1 = { img1: '', img2: '' };
  after(() => tmp.cleanup());
  const ok = async <T>(args: string[]): Promise<T> => {
    const r = await runCli([...args, '--json'], env);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return json<T>(r);
  };

  before(async () => {
    mkdirSync(photos);
    copyFileSync(join(FIXTURES, 'exif', 'Canon_40D.jpg'), at('IMG_1.JPG'));
    copyFileSync(join(FIXTURES, 'exif', 'gps', 'DSCN0010.jpg'), at('IMG_2.JPG'));
    copyFileSync(join(FIXTURES, 'exif', 'orientation', 'landscape_1.jpg'), at('bad.jpg'));
    writeFileSync(at('IMG_1.JPG.xmp'), DIGIKAM);
    writeFileSync(at('bad.jpg.xmp'), HOSTILE);
    before1.img1 = sha(at('IMG_1.JPG'));
    before1.img2 = sha(at('IMG_2.JPG'));
    assert.equal((await runCli(['library', 'create', 'Home', '--path', join(tmp.path, 'lib')], env)).code, 0);
  });

  it('a deep index brings a digiKam sidecar\'s rating and keywords in as metadata and a tag tree', async () => {
    const added = await ok<{ xmp_sidecars: number; xmp_read: number; skipped: Array<{ path: string; reason: string }> }>(['location', 'add', photos, '--name', 'Photos', '--mode', 'deep']);
    assert.deepEqual([added.xmp_sidecars, added.xmp_read], [1, 1]);
    assert.ok(added.skipped.some((s) => s.path.endsWith('bad.jpg.xmp') && /DOCTYPE|entit/i.test(s.reason)), JSON.stringify(added.skipped));
    const m = await ok<Meta>(['meta', 'show', at('IMG_1.JPG')]);
    assert.equal(m.rating, 4);
    assert.deepEqual(m.tags, ['Ana', 'Dubrovnik']);
    const tags = await ok<Tag[]>(['tag', 'list']);
    assert.deepEqual(tags.find((t) => t.name === 'Dubrovnik')!.path, ['Places', 'Croatia', 'Dubrovnik']);
    // Read again, an unchanged sidecar is not read twice.
    const again = await ok<{ xmp_sidecars: number; xmp_read: number }>(['location', 'rescan', 'Photos']);
    assert.deepEqual([again.xmp_sidecars, again.xmp_read], [1, 0]);
  });

  it('xmp export writes vss\'s changes back, keeping the rest; the photos are untouched; a broken sidecar is never overwritten', async () => {
    await ok(['meta', 'set', at('IMG_1.JPG'), '--rating', '5']);
    await ok(['tag', 'add', 'Favourites', at('IMG_1.JPG')]);
    await ok(['tag', 'add', 'Trips', at('IMG_2.JPG'), at('bad.jpg')]);
    const r = await runCli(['xmp', 'export', '--json'], env);
    assert.equal(r.code, 1, `a sidecar not written says so in the exit code: ${r.stdout} ${r.stderr}`);
    const out = JSON.parse(r.stdout) as Exported;
    assert.deepEqual(out.written, [at('IMG_1.JPG.xmp')]);
    assert.deepEqual(out.created, [at('IMG_2.JPG.xmp')]);
    assert.deepEqual(out.problems.map((p) => p.path), [at('bad.jpg.xmp')]);
    assert.equal(readFileSync(at('bad.jpg.xmp'), 'utf8'), HOSTILE, 'a sidecar vss cannot read is left as it was');

    const back = readXmpSidecar(readFileSync(at('IMG_1.JPG.xmp'), 'utf8'));
    assert.ok(back.ok);
    assert.equal(back.meta.rating?.value, 5);
    assert.deepEqual(back.meta.hierarchical.map((p) => p.join('|')).sort(), ['People|Ana', 'Places|Croatia|Dubrovnik']);
    assert.ok(back.meta.keywords.includes('Favourites'));
    assert.match(readFileSync(at('IMG_1.JPG.xmp'), 'utf8'), /MicrosoftPhoto:Rating="75"/, 'what vss does not own is kept');
    const made = readXmpSidecar(readFileSync(at('IMG_2.JPG.xmp'), 'utf8'));
    assert.ok(made.ok);
    assert.deepEqual(made.meta.keywords, ['Trips']);
    assert.deepEqual([sha(at('IMG_1.JPG')), sha(at('IMG_2.JPG'))], [before1.img1, before1.img2], 'the originals are byte-identical');

    // Again: nothing to write. And a rescan reads the sidecars vss wrote without changing anything.
    const second = json<Exported>(await runCli(['xmp', 'export', at('IMG_1.JPG'), at('IMG_2.JPG'), '--json'], env));
    assert.deepEqual([second.written, second.created, second.unchanged], [[], [], 2]);
    await ok(['location', 'rescan', 'Photos']);
    const m = await ok<Meta>(['meta', 'show', at('IMG_1.JPG')]);
    assert.deepEqual([m.rating, m.tags], [5, ['Ana', 'Dubrovnik', 'Favourites']]);
  });
});

/**
 * What `xmp export` must never do to another tool's sidecar (issue 28): lose an item or a character
 * vss did not change, an edit saved while it works, the file's owner, mode or hard links; read or
 * write a file that is not UTF-8; bring back, from a file it wrote itself, a value the user changed
 * since; or record a sidecar as read without what it said.
 */
describe('XMP sidecars: nothing of another tool is lost', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir('vss-xmp-keep-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const photos = join(tmp.path, 'photos');
  const at = (n: string) => join(photos, n);
  let photoNo = 0;
  after(() => tmp.cleanup());
  const ok = async <T>(args: string[]): Promise<T> => {
    const r = await runCli([...args, '--json'], env);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return json<T>(r);
  };
  /** A photo of its own content (NAME), with SIDECAR (bytes or text) beside it as NAME.xmp. */
  const photo = (name: string, sidecar?: string | Buffer) => {
    copyFileSync(join(FIXTURES, 'exif', 'Canon_40D.jpg'), at(name));
    appendFileSync(at(name), `photo ${++photoNo}`);
    if (sidecar !== undefined) writeFileSync(at(`${name}.xmp`), sidecar);
  };

  before(async () => {
    mkdirSync(photos);
    assert.equal((await runCli(['library', 'create', 'Keep', '--path', join(tmp.path, 'lib')], env)).code, 0);
    await ok(['location', 'add', photos, '--name', 'Photos', '--mode', 'deep']);
  });

  /** The file's DOM, every character kept, without xmp:Rating, its namespace declaration and whitespace-only text: what a rating-only export must leave exactly as it was. */
  const allButRating = (text: string) => {
    const doc = new DOMParser({ normalizeLineEndings: (t: string) => t }).parseFromString(text.replace(/^\uFEFF/, ''), 'text/xml');
    const strip = (node: Node) => {
      for (let child = node.firstChild; child; ) {
        const next = child.nextSibling;
        if (child.nodeType === 3 && /^\s*$/.test(child.nodeValue ?? '')) node.removeChild(child);
        else if (child.nodeType === 1) {
          const el = child as Element;
          if (el.namespaceURI === 'http://ns.adobe.com/xap/1.0/' && el.localName === 'Rating') node.removeChild(child);
          else strip(child);
        }
        child = next;
      }
      if (node.nodeType === 1) {
        const el = node as Element;
        el.removeAttributeNS('http://ns.adobe.com/xap/1.0/', 'Rating');
        // A file that had no rating gets the namespace declared for it.
        for (const a of Array.from(el.attributes)) if (a.namespaceURI === 'http://www.w3.org/2000/xmlns/' && a.value === 'http://ns.adobe.com/xap/1.0/') el.removeAttributeNode(a);
      }
    };
    strip(doc);
    return new XMLSerializer().serializeToString(doc);
  };

  it('a round trip (read, a rating set in vss, export) keeps every item and character of the tools\' sidecars', async () => {
    const samples = { digikam: DIGIKAM, digikamTop: DIGIKAM_TOP_LEVEL, bridge: BRIDGE, apple: APPLE_PHOTOS, darktable: DARKTABLE, lightroom: LIGHTROOM, exiftool: EXIFTOOL };
    for (const [name, text] of Object.entries(samples)) photo(`rt-${name}.JPG`, text);
    await ok(['location', 'rescan', 'Photos']);
    for (const name of Object.keys(samples)) await ok(['meta', 'set', at(`rt-${name}.JPG`), '--rating', '5']);
    const out = await ok<Exported>(['xmp', 'export', ...Object.keys(samples).map((n) => at(`rt-${n}.JPG`))]);
    assert.deepEqual(out.problems, []);
    for (const [name, text] of Object.entries(samples)) {
      const written = readFileSync(at(`rt-${name}.JPG.xmp`), 'utf8');
      const before = readXmpRaw(text);
      const now = readXmpRaw(written);
      assert.ok(before.ok && now.ok, name);
      assert.deepEqual(now.raw.rating, ['5'], name);
      for (const key of ['label', 'subject', 'lrHierarchy', 'digikamTags'] as const) assert.deepEqual(now.raw[key], before.raw[key], `${name}: ${key}`);
      assert.equal(allButRating(written), allButRating(text), `${name}: everything but the rating, character for character`);
      for (const line of text.match(/[^>\n]*\u2028[^<\n]*/g) ?? []) assert.ok(written.includes(line), `${name}: ${JSON.stringify(line)} kept`);
    }
  });

  it('a keyword vss took off goes; one vss never knew, and one-level paths, stay', async () => {
    photo('kw.JPG', DIGIKAM_TOP_LEVEL);
    await ok(['location', 'rescan', 'Photos']);
    // Another tool adds a keyword vss has not read yet; then, in vss, one tag is taken off and one given.
    writeFileSync(at('kw.JPG.xmp'), readFileSync(at('kw.JPG.xmp'), 'utf8').replace('<rdf:li>Ana</rdf:li>', '<rdf:li>Ana</rdf:li>\n     <rdf:li>sunset</rdf:li>'));
    await ok(['tag', 'remove', 'Scanned', at('kw.JPG')]);
    await ok(['tag', 'add', 'Trips', at('kw.JPG')]);
    await ok(['xmp', 'export', at('kw.JPG')]);
    const raw = readXmpRaw(readFileSync(at('kw.JPG.xmp'), 'utf8'));
    assert.ok(raw.ok);
    assert.deepEqual(raw.raw.subject, ['Holidays', 'Ana', 'sunset', 'Trips']);
    assert.deepEqual(raw.raw.lrHierarchy, ['Holidays', 'People|Ana']);
    assert.deepEqual(raw.raw.digikamTags, ['Holidays', 'People/Ana']);
  });

  it('a sidecar that is not UTF-8 is skipped with its reason and never rewritten', async () => {
    const latin1 = Buffer.concat([
      Buffer.from('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject><rdf:Bag><rdf:li>caf'),
      Buffer.from([0xe9]),
      Buffer.from('</rdf:li></rdf:Bag></dc:subject></rdf:Description></rdf:RDF></x:xmpmeta>'),
    ]);
    photo('latin.JPG', latin1);
    const scan = await ok<{ skipped: Array<{ path: string; reason: string }> }>(['location', 'rescan', 'Photos']);
    assert.ok(scan.skipped.some((s) => s.path.endsWith('latin.JPG.xmp') && /UTF-8/.test(s.reason)), JSON.stringify(scan.skipped));
    const tags = await ok<Tag[]>(['tag', 'list']);
    assert.ok(!tags.some((t) => t.name.startsWith('caf')), JSON.stringify(tags.map((t) => t.name)));
    await ok(['meta', 'set', at('latin.JPG'), '--rating', '3']);
    const r = await runCli(['xmp', 'export', at('latin.JPG'), '--json'], env);
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as Exported;
    assert.deepEqual(out.problems.map((p) => p.path), [at('latin.JPG.xmp')]);
    assert.match(out.problems[0]!.reason, /not valid UTF-8 \(byte 0xe9/);
    assert.deepEqual(readFileSync(at('latin.JPG.xmp')), latin1, 'the bytes are as the other tool wrote them');
  });

  it('an edit another tool saves while export works is kept (export reads the file again)', async () => {
    photo('race.JPG', DARKTABLE);
    await ok(['location', 'rescan', 'Photos']);
    await ok(['meta', 'set', at('race.JPG'), '--rating', '1']);
    // Export stops just before it replaces the file; darktable saves meanwhile (its own temp and rename).
    const child = spawn(process.execPath, [VSS_BIN, 'xmp', 'export', at('race.JPG'), '--json'], {
      env: { ...process.env, VSS_LOG_LEVEL: undefined, VSS_LIBRARY: undefined, ...env, VSS_CRASH_AT: 'atomic:before-replace:stop' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const done = outputOf(child);
    try {
      await until('export to stop before it replaces the sidecar', 60_000, async () => (/^\d+ \(.*\) T/.test(readFileSync(`/proc/${child.pid}/stat`, 'utf8')) ? true : undefined), 50);
      const edited = readFileSync(at('race.JPG.xmp'), 'utf8').replace('darktable:history_end="12"', 'darktable:history_end="11"');
      writeFileSync(at('.race.JPG.xmp.darktable'), edited);
      renameSync(at('.race.JPG.xmp.darktable'), at('race.JPG.xmp'));
    } finally {
      child.kill('SIGCONT');
    }
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).written, [at('race.JPG.xmp')]);
    const text = readFileSync(at('race.JPG.xmp'), 'utf8');
    assert.match(text, /darktable:history_end="11"/, "darktable's edit is kept");
    const back = readXmpSidecar(text);
    assert.ok(back.ok);
    assert.equal(back.meta.rating?.value, 1, "and vss's rating is written");
  });

  it("export keeps a sidecar's owner, mode and hard links; a read-only one is refused with its reason", { skip: process.getuid?.() !== 0 ? 'needs root (chown)' : false }, async () => {
    photo('own.JPG', DIGIKAM_TOP_LEVEL);
    photo('link.JPG', DIGIKAM_TOP_LEVEL);
    photo('ro.JPG', DIGIKAM_TOP_LEVEL);
    chownSync(at('own.JPG.xmp'), 1234, 2345);
    chmodSync(at('own.JPG.xmp'), 0o640);
    linkSync(at('link.JPG.xmp'), join(tmp.path, 'backup-of-link.xmp'));
    chmodSync(at('ro.JPG.xmp'), 0o444);
    await ok(['location', 'rescan', 'Photos']);
    for (const n of ['own', 'link', 'ro']) await ok(['meta', 'set', at(`${n}.JPG`), '--rating', '4']);
    const r = await runCli(['xmp', 'export', at('own.JPG'), at('link.JPG'), at('ro.JPG'), '--json'], env);
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as Exported;
    assert.deepEqual(out.written, [at('own.JPG.xmp'), at('link.JPG.xmp')]);
    const own = statSync(at('own.JPG.xmp'));
    assert.deepEqual([own.uid, own.gid, own.mode & 0o7777], [1234, 2345, 0o640]);
    const link = statSync(at('link.JPG.xmp'));
    assert.equal(link.ino, statSync(join(tmp.path, 'backup-of-link.xmp')).ino, 'still one file under both names');
    assert.equal(link.nlink, 2);
    assert.equal(readFileSync(join(tmp.path, 'backup-of-link.xmp'), 'utf8'), readFileSync(at('link.JPG.xmp'), 'utf8'));
    assert.ok(readFileSync(at('link.JPG.xmp'), 'utf8').includes('xmp:Rating="4"'));
    assert.deepEqual(out.problems.map((p) => p.path), [at('ro.JPG.xmp')]);
    assert.match(out.problems[0]!.reason, /read-only \(mode 0444\)/);
    assert.equal(readFileSync(at('ro.JPG.xmp'), 'utf8'), DIGIKAM_TOP_LEVEL);
    assert.equal(statSync(at('ro.JPG.xmp')).mode & 0o777, 0o444);
  });

  it("not as root, another user's sidecar is refused with its reason, never made this user's", { skip: process.getuid?.() !== 0 ? 'needs root (to run vss as another user)' : false }, async () => {
    const home = tempDir('vss-xmp-user-');
    try {
      const dir = join(home.path, 'loc');
      mkdirSync(dir);
      copyFileSync(join(FIXTURES, 'exif', 'Canon_40D.jpg'), join(dir, 'IMG.JPG'));
      writeFileSync(join(dir, 'IMG.JPG.xmp'), DIGIKAM_TOP_LEVEL);
      chownSync(home.path, 1234, 1234);
      chownSync(dir, 1234, 1234);
      chownSync(join(dir, 'IMG.JPG'), 1234, 1234);
      chownSync(join(dir, 'IMG.JPG.xmp'), 4321, 4321);
      chmodSync(join(dir, 'IMG.JPG.xmp'), 0o666);
      const asUser = (args: string[]) => new Promise<{ code: number | null; stdout: string; stderr: string }>((res, rej) => {
        const child = spawn('setpriv', ['--reuid=1234', '--regid=1234', '--clear-groups', process.execPath, VSS_BIN, ...args], {
          env: { ...process.env, VSS_LOG_LEVEL: undefined, VSS_LIBRARY: undefined, HOME: home.path, VSS_DATA_DIR: join(home.path, 'data') },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        outputOf(child).then(res, rej);
      });
      for (const args of [['library', 'create', 'U', '--path', join(home.path, 'lib')], ['location', 'add', dir, '--mode', 'deep', '--generate', 'none'], ['meta', 'set', join(dir, 'IMG.JPG'), '--rating', '4']]) {
        const r = await asUser(args);
        assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      }
      const r = await asUser(['xmp', 'export', join(dir, 'IMG.JPG'), '--json']);
      assert.equal(r.code, 1, r.stderr);
      const out = JSON.parse(r.stdout) as Exported;
      assert.match(out.problems[0]?.reason ?? '', /belongs to user 4321 .* not rewritten/);
      const st = statSync(join(dir, 'IMG.JPG.xmp'));
      assert.deepEqual([st.uid, st.gid], [4321, 4321]);
      assert.equal(readFileSync(join(dir, 'IMG.JPG.xmp'), 'utf8'), DIGIKAM_TOP_LEVEL);
    } finally {
      home.cleanup();
    }
  });

  it('what export wrote, read again (as the watcher does), does not undo a rating set after it', async () => {
    photo('new.JPG');
    photo('old.JPG', DIGIKAM_TOP_LEVEL);
    await ok(['location', 'rescan', 'Photos']);
    for (const n of ['new', 'old']) {
      await ok(['meta', 'set', at(`${n}.JPG`), '--rating', '2']);
      await ok(['xmp', 'export', at(`${n}.JPG`)]);
      await ok(['meta', 'set', at(`${n}.JPG`), '--rating', '5']);
    }
    assert.ok(readFileSync(at('new.JPG.xmp'), 'utf8').includes('<xmp:Rating>2</xmp:Rating>'));
    const again = await ok<{ xmp_read: number }>(['location', 'rescan', 'Photos']);
    for (const n of ['new', 'old']) assert.equal((await ok<Meta>(['meta', 'show', at(`${n}.JPG`)])).rating, 5, n);
    // The recorded sidecar vss rewrote is known as written: not read again. The new one is read once.
    assert.equal(again.xmp_read, 1);
  });

  it('a crash between recording a sidecar and taking in what it says loses nothing: the next scan reads it', async () => {
    photo('crash.JPG');
    await ok(['location', 'rescan', 'Photos']);
    writeFileSync(at('crash.JPG.xmp'), DIGIKAM);
    const killed = await runCliChild(['location', 'rescan', 'Photos'], { ...env, VSS_CRASH_AT: 'xmp-import:recorded' });
    assert.equal(killed.code, null, `killed at the crash point: ${killed.stderr}`);
    await ok(['location', 'rescan', 'Photos']);
    const m = await ok<Meta>(['meta', 'show', at('crash.JPG')]);
    assert.deepEqual([m.rating, m.tags], [4, ['Ana', 'Dubrovnik']]);
  });
});

describe('XMP sidecars under a running daemon: the watcher does not bring back what export wrote', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir('vss-xmp-live-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const photos = join(tmp.path, 'photos');
  const at = (n: string) => join(photos, n);
  after(async () => {
    await runCli(['daemon', 'stop'], env);
    tmp.cleanup();
  });
  const ok = async <T>(args: string[]): Promise<T> => {
    const r = await runCli([...args, '--json'], env);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return json<T>(r);
  };
  interface Sidecar { content_uuid: string; status: string; checksum: string | null; path: string | null }
  const xmpRecord = async (path: string) => (await ok<Sidecar[]>(['sidecars', 'list', '--kind', 'xmp'])).find((s) => s.path === path && s.status === 'ready');

  it('a rating set right after an export stays, once the watcher has read the file export made or rewrote', async () => {
    mkdirSync(photos);
    copyFileSync(join(FIXTURES, 'exif', 'Canon_40D.jpg'), at('new.JPG'));
    copyFileSync(join(FIXTURES, 'exif', 'gps', 'DSCN0010.jpg'), at('old.JPG'));
    writeFileSync(at('old.JPG.xmp'), DIGIKAM_TOP_LEVEL);
    assert.equal((await runCli(['library', 'create', 'Live', '--path', join(tmp.path, 'lib')], env)).code, 0);
    const started = await runCli(['daemon', 'start'], env);
    assert.equal(started.code, 0, started.stderr);
    await ok(['location', 'add', photos, '--mode', 'deep', '--generate', 'none']);
    const old = await until('old.JPG.xmp recorded', 30_000, () => xmpRecord(at('old.JPG.xmp')));

    for (const n of ['new', 'old']) {
      await ok(['meta', 'set', at(`${n}.JPG`), '--rating', '3']);
      await ok(['xmp', 'export', at(`${n}.JPG`)]);
      await ok(['meta', 'set', at(`${n}.JPG`), '--rating', '5']);
    }
    // The watcher records the new file once it has read it; the rewritten one is recorded as export wrote it.
    await until('new.JPG.xmp read by the watcher', 30_000, () => xmpRecord(at('new.JPG.xmp')));
    const rewritten = await xmpRecord(at('old.JPG.xmp'));
    assert.notEqual(rewritten?.checksum, old.checksum);
    // Let the watcher finish with the rewritten file too: a rescan through the daemon waits for the index.
    await ok(['location', 'rescan', photos]);
    for (const n of ['new', 'old']) assert.equal((await ok<Meta>(['meta', 'show', at(`${n}.JPG`)])).rating, 5, n);
  });
});
