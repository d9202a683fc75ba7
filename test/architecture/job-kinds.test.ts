import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPERATIONS } from '../../src/ops/registry.js';
import { TRANSFER_WAYS, WAY_KINDS } from '../../src/ops/transfer/strategies.js';
import { jobKindPlaces, type JobKindPlace } from './job-kind-places.js';
import { sourceFiles } from './source-imports.js';

/** The repository as written (this file runs from dist/test/architecture). */
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const SRC = join(REPO, 'src');

/**
 * Where each kind of place is allowed (docs/architecture.md, "A new durable operation"): a job
 * kind is written out only for a generator (jobs/generator-job.ts) or in src/ops/; a list of kinds
 * is made only by the generators' list (jobs/default-kinds.ts) and the registry, the job machinery
 * taking the generators' list alone as the default of a runner given none (tests); the kind types
 * are named only by the job machinery (src/jobs/) and src/ops/.
 */
const ALLOWED: Record<JobKindPlace['how'], (file: string, what: string) => boolean> = {
  definition: (f) => f === 'jobs/generator-job.ts' || f.startsWith('ops/'),
  assembly: (f, what) => f === 'ops/registry.ts' || f === 'jobs/default-kinds.ts' || (f.startsWith('jobs/') && what === 'defaultJobKinds()'),
  type: (f) => f.startsWith('jobs/') || f.startsWith('ops/'),
};

const outOfPlace = (places: JobKindPlace[]) => places.filter((p) => !ALLOWED[p.how](p.file, p.what)).map((p) => `${p.file}:${p.line} ${p.how}: ${p.what}`);

describe('job kinds are assembled in one place (docs/architecture.md)', () => {
  it('no job kind is defined, no list of kinds assembled, and no kind handed around outside src/ops and the generators\' kinds', () => {
    const found = outOfPlace(sourceFiles(SRC).flatMap((f) => jobKindPlaces(SRC, f)));
    assert.deepEqual(found, [], `job kinds outside src/ops/ (a durable operation is its folder there plus one line of src/ops/registry.ts):\n  ${found.join('\n  ')}`);
  });

  it('each folder of src/ops/ is one line of the registry, running its job kind; transfer/ is the transfer, whose ways run the job kinds of its table', async () => {
    const folders = readdirSync(join(SRC, 'ops'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    assert.deepEqual(Object.keys(OPERATIONS).sort(), folders);
    const host = { lib: undefined as never, dataDir: '/nowhere', network: () => undefined };
    for (const [name, line] of Object.entries(OPERATIONS)) {
      const op = await line.load();
      assert.equal(op.name, name, `the registry's line ${name} is the operation ${name}`);
      const kinds = (await op.kinds(host)).map((k) => k.name).sort();
      if (name === 'transfer') assert.deepEqual(kinds, [...WAY_KINDS].sort(), 'the transfer runs every way\'s kind');
      else assert.deepEqual(kinds, [name], `${name} runs the job kind ${name}`);
    }
  });
});

describe('the transfer\'s table of ways is the one the docs show (docs/architecture.md)', () => {
  it('names every way\'s job kind in the table under "A new kind of place"', () => {
    const doc = readFileSync(join(REPO, 'docs', 'architecture.md'), 'utf8');
    for (const w of TRANSFER_WAYS) {
      if (typeof w.kind === 'string') assert.ok(doc.includes(`| \`${w.kind}\` |`), `docs/architecture.md shows the way ${w.asked} → ${w.to} (${w.kind})`);
    }
  });
});

describe('the check itself', () => {
  it('sees a kind written out, a list made, and the kind types named, typed or not', () => {
    const text = [
      "import { JobKinds, type JobKind } from '../jobs/job-kind.js';",
      'export function myKinds(): JobKind[] { return [{ name: "x", concurrency: 1, timeoutMs: () => 1, run: async () => ({ state: "completed" }) }]; }',
      'const k = new JobKinds(); const d = defaultJobKinds();',
      'class A { async jobKinds() { return []; } }',
      'const untyped = { name: "y", concurrency: 2, timeoutMs, run };',
    ].join('\n');
    const places = jobKindPlaces('/nowhere', 'sync/x.ts', text);
    assert.deepEqual(places.filter((p) => p.how === 'definition').map((p) => p.line), [2, 5]);
    assert.deepEqual(places.filter((p) => p.how === 'assembly').map((p) => p.what), ['new JobKinds()', 'defaultJobKinds()', 'jobKinds declared']);
    assert.ok(places.some((p) => p.how === 'type' && p.line === 1) && places.some((p) => p.how === 'type' && p.line === 2));
    assert.equal(outOfPlace(places).length, places.length, 'all out of place in sync/');
    assert.deepEqual(outOfPlace(places.map((p) => ({ ...p, file: 'ops/x/operation.ts' }))).filter((s) => !s.includes('assembly')), [], 'a definition in src/ops/ is in place');
  });
});
