import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import { readXmpSidecar } from '../../src/media/xmp/xmp-sidecar-read.js';
import { FIXTURES, FIXTURES_SKIP, json, tempDir, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

interface Meta { content_uuid: string; rating: number; tags: string[] }
interface Sidecar { status: string; checksum: string | null; path: string | null }

const DARKTABLE_SIDECAR = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:darktable="http://darktable.sf.net/" xmp:Rating="3" darktable:history_end="1"><dc:subject><rdf:Bag><rdf:li>beach</rdf:li></rdf:Bag></dc:subject></rdf:Description></rdf:RDF></x:xmpmeta>
`;

/**
 * Issue 42, defect 5, as the faults note reproduces it, through a running daemon and its watcher:
 * darktable saves a history step (its rating and keywords as they were) after the user changed the
 * rating and took a tag off in vss. The save must not bring the old values back: only what the file
 * changed since vss last read it is taken. What the tool does change is taken.
 */
describe('XMP sidecars: another tool\'s unrelated save does not undo vss\'s edits (three-way merge)', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir('vss-xmp-3way-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const loc = join(tmp.path, 'loc');
  const photo = join(loc, 'Y.JPG');
  const xmp = join(loc, 'Y.JPG.xmp');
  after(async () => {
    await runCli(['daemon', 'stop'], env);
    tmp.cleanup();
  });
  const ok = async <T>(args: string[]): Promise<T> => {
    const r = await runCli([...args, '--json'], env);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return json<T>(r);
  };
  const meta = () => ok<Meta>(['meta', 'show', photo]);
  /** Wait until the daemon's watcher has read the sidecar as it is now (its record says these bytes). */
  const readByWatcher = (what: string) => {
    const sum = blake3(readFileSync(xmp)).toString('hex');
    return until(what, 30_000, async () => (await ok<Sidecar[]>(['sidecars', 'list', '--kind', 'xmp'])).find((s) => s.path === xmp && s.status === 'ready' && s.checksum === sum));
  };
  /** What darktable does on a save: its whole file written anew beside it and renamed over it (as `sed -i` does). */
  const toolSave = (edit: (text: string) => string) => {
    writeFileSync(`${xmp}.tmp`, edit(readFileSync(xmp, 'utf8')));
    renameSync(`${xmp}.tmp`, xmp);
  };

  it('a rating set and a tag taken off in vss stay when darktable saves a history step; what darktable changes later is taken', async () => {
    mkdirSync(loc);
    copyFileSync(join(FIXTURES, 'exif', 'Canon_40D.jpg'), photo);
    appendFileSync(photo, 'unique-1');
    writeFileSync(xmp, DARKTABLE_SIDECAR);
    assert.equal((await runCli(['library', 'create', 'Lib', '--path', join(tmp.path, 'lib')], env)).code, 0);
    const started = await runCli(['daemon', 'start'], env);
    assert.equal(started.code, 0, started.stderr);
    await ok(['location', 'add', loc, '--mode', 'deep', '--generate', 'none']);
    await readByWatcher('the sidecar read when the location was added');
    assert.deepEqual(await meta().then((m) => [m.rating, m.tags]), [3, ['beach']]);

    await ok(['meta', 'set', photo, '--rating', '1']);
    await ok(['tag', 'remove', 'beach', photo]);
    toolSave((t) => t.replace('history_end="1"', 'history_end="2"'));
    await readByWatcher('the watcher to read darktable\'s save');
    assert.deepEqual(await meta().then((m) => [m.rating, m.tags]), [1, []], 'vss\'s rating and the removal stand: darktable changed neither');

    // Export writes vss's values into the file (its base says they are not darktable's), keeping darktable's history step.
    await ok(['xmp', 'export', photo]);
    const written = readFileSync(xmp, 'utf8');
    const back = readXmpSidecar(written);
    assert.ok(back.ok);
    assert.deepEqual([back.meta.rating?.value, back.meta.keywords], [1, []]);
    assert.match(written, /darktable:history_end="2"/);

    // What darktable does change is taken: a new rating, a keyword added (its whole file written again).
    toolSave(() => DARKTABLE_SIDECAR.replace('xmp:Rating="3"', 'xmp:Rating="4"').replace('history_end="1"', 'history_end="3"').replace('beach', 'sunset'));
    await readByWatcher('the watcher to read darktable\'s edit');
    assert.deepEqual(await meta().then((m) => [m.rating, m.tags]), [4, ['sunset']]);
  });
});
