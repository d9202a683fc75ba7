import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { json, tempDir, until } from '../helpers.js';
// The CLI in this process for the calls; the two daemons run in processes of their own.
import { cliHere as runCli } from '../support/cli-here.js';
import { pairDaemons } from '../sync-peers.js';

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0'];

/** A sidecar another photo tool wrote: its own field (a creator tool, a title) vss does not own. */
const THEIRS = `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmp:CreatorTool="darktable 4.6">
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Harbour at dusk</rdf:li></rdf:Alt></dc:title>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`;

/**
 * Issue 59 item 6 between two real daemons over loopback: the desktop keeps one location's XMP
 * sidecars written back; a tag and a rating given on the laptop reach the desktop's sidecar of the
 * photo there within seconds of arriving, by the three-way merge (the other tool's fields kept),
 * and a location without write-back is left alone.
 */
describe('XMP write-back of what arrives from another device', { timeout: 240_000 }, () => {
  const tmp = tempDir('vss-xmp-back-');
  const device = (d: string): Record<string, string> => ({ VSS_DATA_DIR: join(tmp.path, d) });
  const [A, B] = [device('a'), device('b')];
  const kept = join(tmp.path, 'desktop-photos');
  const plain = join(tmp.path, 'desktop-other');
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
    mkdirSync(kept);
    mkdirSync(plain);
    writeFileSync(join(kept, 'harbour.jpg'), 'the harbour at dusk, as bytes');
    writeFileSync(join(kept, 'harbour.jpg.xmp'), THEIRS);
    writeFileSync(join(plain, 'harbour-copy.jpg'), 'the harbour at dusk, as bytes');
    await ok(A, ['library', 'create', 'Home', '--path', join(tmp.path, 'libs')]);
    for (const env of [A, B]) await ok(env, ['daemon', 'start', ...LOOPBACK]);
    await pairDaemons(A, B);
    await ok(B, ['location', 'add', kept, '--name', 'Kept', '--mode', 'content']);
    await ok(B, ['location', 'add', plain, '--name', 'Plain', '--mode', 'content']);
    const r = json<{ location_id: number; write_back: boolean }>(await ok(B, ['--json', 'xmp', 'write-back', 'on', 'Kept']));
    assert.equal(r.write_back, true);
  });

  it('a tag and a rating from the laptop are in the desktop\'s sidecar within seconds; the other tool\'s fields stay; a location without write-back is untouched', async () => {
    const uuid = await until('the desktop\'s photo known on the laptop', 60_000, async () => {
      const found = json<Array<{ content_uuid: string }>>(await runCli(['--json', 'search', 'harbour'], A));
      return found[0]?.content_uuid;
    }, 300);
    await ok(A, ['tag', 'add', 'Dubrovnik', uuid]);
    await ok(A, ['meta', 'set', uuid, '--rating', '4']);
    const arrived = Date.now();
    const xmp = join(kept, 'harbour.jpg.xmp');
    const text = await until('the tag and rating in the desktop\'s sidecar', 60_000, async () => {
      const t = readFileSync(xmp, 'utf8');
      return t.includes('Dubrovnik') && /xmp:Rating(="4"|>4<)/.test(t) ? t : undefined;
    }, 100);
    const ms = Date.now() - arrived;
    assert.match(text, /darktable 4\.6/, 'the other tool\'s field is kept');
    assert.match(text, /Harbour at dusk/);
    assert.ok(!existsSync(join(plain, 'harbour-copy.jpg.xmp')), 'a location without write-back gets no sidecar');
    // What the issue asks (within 5 s of arriving) measured from the laptop's command: printed, not asserted (CI machines differ).
    process.stderr.write(`xmp write-back: the laptop's tag and rating in the desktop's sidecar ${ms} ms after the commands returned\n`);
    await ok(B, ['xmp', 'write-back', 'off', 'Kept']);
  });
});
