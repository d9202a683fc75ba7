import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { REPO as repoRoot } from '../helpers.js';

/**
 * The README promises the Node our package.json names, and `npm ci` promises a quiet install:
 * a dependency that wants a newer Node (npm's EBADENGINE warning) breaks both. This walks every
 * installed package and checks its `engines.node` against the oldest Node we say we run on.
 */
test("no installed package's engines.node excludes the oldest Node our package.json allows", () => {
  const ours = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { engines: { node: string } };
  const oldest = semver.minVersion(ours.engines.node);
  assert.ok(oldest, `package.json engines.node is not a range: ${ours.engines.node}`);
  const refused: string[] = [];
  let seen = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.name.startsWith('@')) { walk(path); continue; }
      const manifest = join(path, 'package.json');
      if (existsSync(manifest)) {
        seen++;
        const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string; engines?: { node?: unknown } };
        const range = pkg.engines?.node;
        if (typeof range === 'string' && !semver.satisfies(oldest, range, { includePrerelease: true })) {
          refused.push(`${pkg.name}@${pkg.version} wants node ${range}`);
        }
      }
      if (existsSync(join(path, 'node_modules'))) walk(join(path, 'node_modules'));
    }
  };
  walk(join(repoRoot, 'node_modules'));
  assert.ok(seen > 100, `only ${seen} packages found under node_modules`);
  assert.deepEqual(refused, [], `pin a version that runs on Node ${oldest.version} (npm overrides) or raise engines.node`);
});
