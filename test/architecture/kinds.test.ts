import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENERATORS } from '../../src/generators/registry.js';
import { FINDERS } from '../../src/indexer/finders.js';
import { GENERATION_SCHEDULE } from '../../src/jobs/schedule.js';
import { DEFAULT_POLICY_SPECS, parsePolicy } from '../../src/jobs/policy.js';
import { madeBy, SIDECAR_KIND_NAMES, SIDECAR_KINDS, variantsOf, type SidecarKind } from '../../src/sidecars/kinds.js';
import { TYPICAL_GENERATION_MS } from '../../src/sync/resolver.js';
import { DEFAULT_SYNC_SETTINGS } from '../../src/sync/sync-settings.js';
import { kindTables, type KindTable } from './kind-tables.js';
import { sourceFiles } from './source-imports.js';

/** The repository as written (this file runs from dist/test/architecture). */
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const SRC = join(REPO, 'src');
const WEB = join(REPO, 'web', 'src');
const SPECS = 'sidecars/kinds/';

/** Where a registry (kind → the module that does its work, no facts) belongs: the kinds list and the two registries the specs type. */
const REGISTRIES = new Set(['sidecars/kinds.ts', 'generators/registry.ts', 'indexer/finders.ts']);

/** Tables that name kinds and are not facts of them, each with why. */
const NOT_KIND_FACTS: ReadonlyArray<{ file: string; name: string; why: string }> = [
  { file: 'search/search-index.ts', name: 'SEARCHED_KINDS', why: 'the kinds whose JSON the search index reads text from: search\'s own code per kind, beside the code that reads them' },
  { file: 'web:search-result-item.tsx', name: 'SOURCE_LABEL', why: 'a search result\'s source (name, ocr, pdf-text, transcript), not a sidecar kind' },
];

const kinds = new Set<string>(SIDECAR_KIND_NAMES);

function tablesOutsideSpecs(): KindTable[] {
  const src = sourceFiles(SRC).filter((f) => !f.startsWith(SPECS)).flatMap((f) => kindTables(SRC, f, kinds));
  const web = sourceFiles(WEB).flatMap((f) => kindTables(WEB, f, kinds).map((t) => ({ ...t, file: `web:${f}` })));
  return [...src, ...web].filter((t) => !(t.registry && REGISTRIES.has(t.file)) && !NOT_KIND_FACTS.some((n) => n.file === t.file && n.name === t.name));
}

describe('one spec per sidecar kind (docs/architecture.md)', () => {
  it('no table of kinds outside src/sidecars/kinds/: a fact of a kind lives in its spec', () => {
    const found = tablesOutsideSpecs().map((t) => `${t.file}:${t.line} ${t.name}: ${t.what}`);
    assert.deepEqual(found, [], `tables keyed by sidecar kinds outside their specs (put the fact in src/sidecars/kinds/<kind>.ts and derive the table):\n  ${found.join('\n  ')}`);
  });

  it('each kind is one file of src/sidecars/kinds/, named after it, holding its spec and nothing else', async () => {
    const files = readdirSync(join(SRC, SPECS)).filter((f) => f.endsWith('.ts')).sort();
    assert.deepEqual(files, SIDECAR_KIND_NAMES.map((k) => `${k}.ts`).sort());
    for (const k of SIDECAR_KIND_NAMES) {
      const mod = (await import(`../../src/${SPECS}${k}.js`)) as Record<string, unknown>;
      assert.deepEqual(Object.keys(mod), [k], `${SPECS}${k}.ts exports its spec as ${k}, and only that`);
      assert.equal(mod[k], SIDECAR_KINDS[k], `SIDECAR_KINDS.${k} is the spec of ${SPECS}${k}.ts`);
    }
  });

  it('the tables about kinds are the specs\' facts', () => {
    for (const k of SIDECAR_KIND_NAMES) {
      const spec = SIDECAR_KINDS[k];
      assert.equal(GENERATION_SCHEDULE[k] ?? null, spec.schedule, `${k}: schedule`);
      assert.equal(TYPICAL_GENERATION_MS[k], spec.typicalMs, `${k}: typical time`);
      const lists = (['eager', 'lazy', 'never'] as const).filter((c) => (DEFAULT_SYNC_SETTINGS.prefetch[c] as readonly string[]).includes(k));
      assert.deepEqual(lists, [spec.prefetch], `${k}: prefetch class`);
      const made = typeof spec.made === 'string' ? [spec.made] : Object.values(spec.made);
      assert.equal(GENERATORS.filter((g) => g.kind === k).length, made.includes('generator') ? 1 : 0, `${k}: one generator where a generator makes it`);
      assert.equal(Object.values(FINDERS).filter((f) => f.kind === k).length, made.includes('finder') ? 1 : 0, `${k}: one finder where the indexer finds it`);
      if (typeof spec.made !== 'string') assert.deepEqual(Object.keys(spec.made).sort(), [...(variantsOf(k) as string[])].sort(), `${k}: made says, for every variant, how it comes to be`);
      const policy = spec.policy as { alone: readonly string[]; desktop: readonly string[]; mobile: readonly string[] } | null;
      for (const device of ['desktop', 'mobile'] as const) {
        assert.deepEqual(parsePolicy(DEFAULT_POLICY_SPECS[device])[k as SidecarKind] ?? [], policy?.[device] ?? [], `${k}: default ${device} policy`);
      }
      if (policy) {
        assert.deepEqual(parsePolicy(k)[k], policy.alone, `${k} named alone`);
        for (const v of [...policy.alone, ...policy.desktop, ...policy.mobile]) assert.ok(v === '*' ? variantsOf(k) === 'open' : madeBy(k, v) === 'generator', `${k}/${v} in a policy is a variant a generator makes`);
      }
    }
  });
});

describe('the kind-table check itself', () => {
  const names = new Set(['thumb', 'ocr', 'proxy']);
  it('finds objects keyed by kinds, lists and switches of kinds, and tells registries from facts', () => {
    const text = [
      "const PRIORITY = { thumb: 10, ocr: 20 };",
      "const EAGER = ['thumb', 'ocr'];",
      "const BY_KIND = { thumb: thumbGenerator, ocr };",
      "function f(k: string) { switch (k) { case 'thumb': return 1; case 'proxy': return 2; } }",
      "const one = { thumb: 1, other: 2 }; const read = readSidecar(lib, 'ocr'); const label = { name: 'x' };",
    ].join('\n');
    assert.deepEqual(kindTables(SRC, 'x.ts', names, text).map((t) => `${t.line} ${t.name} ${t.what} ${t.registry}`), [
      '1 PRIORITY { thumb, ocr } false',
      '2 EAGER [ thumb, ocr ] false',
      '3 BY_KIND { thumb, ocr } true',
      '4 f switch: thumb, proxy false',
    ]);
  });
});
