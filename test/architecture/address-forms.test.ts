import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO } from '../helpers.js';

/** The one module that tells the address forms apart (issue 43, "one address type"). */
const ADDRESS_MODULE = 'src/core/address.ts';

/**
 * Code that takes an address apart or makes one: a bucket's `s3://` tested or written, a device's
 * `DEVICE:` split off at its colon. Help texts and messages that name the forms are not code of
 * this kind (they are not matched).
 */
const FORMS: Array<[string, RegExp]> = [
  ['a bucket address tested', /startsWith\(\s*['"`]s3:/],
  ['a bucket address matched', /\/\^s3:/],
  ['a bucket address written', /`s3:\/\/\$\{/],
  ['a device address split at its colon', /\.indexOf\(\s*['"]:['"]\s*\)/],
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return sources(p);
    return d.name.endsWith('.ts') && !d.name.endsWith('.test.ts') ? [p] : [];
  });
}

describe('address forms are told apart in one module', () => {
  it(`no code outside ${ADDRESS_MODULE} takes a path, DEVICE:/LOCATION/PATH or s3://BUCKET/PREFIX apart`, () => {
    const found: string[] = [];
    for (const file of [...sources(join(REPO, 'src')), ...sources(join(REPO, 'web', 'src'))]) {
      const rel = relative(REPO, file).split('\\').join('/');
      if (rel === ADDRESS_MODULE) continue;
      readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
        for (const [what, re] of FORMS) if (re.test(line)) found.push(`${rel}:${i + 1}: ${what}: ${line.trim().slice(0, 120)}`);
      });
    }
    assert.deepEqual(found, []);
  });

  it('the check finds each form', () => {
    const lines = ["if (to.startsWith('s3://')) x();", 'const m = /^s3:\\/\\/(.*)/.exec(u);', 'return `s3://${b}/${k}`;', "const colon = address.indexOf(':');"];
    assert.deepEqual(lines.map((l) => FORMS.filter(([, re]) => re.test(l)).length), [1, 1, 1, 1]);
  });
});
