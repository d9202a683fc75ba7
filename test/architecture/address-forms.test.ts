import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO } from '../helpers.js';

/** The one module that tells the address forms apart (issue 43, "one address type"). */
const ADDRESS_MODULE = 'src/core/address.ts';
/**
 * Where a stored path's form or a storage's class may still be looked at (issue 57 item 1): the
 * address module, the storages themselves and the volumes they lie on. Everywhere else a
 * location's kind is its recorded `kind` and what its storage can do its `caps`.
 */
const STORAGE_PLACES = [ADDRESS_MODULE, 'src/storage/', 'src/volumes/'];

/**
 * Code that takes an address apart or makes one: a bucket's `s3://` tested or written, a device's
 * `DEVICE:` split off at its colon (in the address module alone); a path tested for a bucket's
 * form, or a storage told by its class (in STORAGE_PLACES alone). Help texts and messages that
 * name the forms are not code of this kind (they are not matched).
 */
const FORMS: Array<[string, RegExp, readonly string[]]> = [
  ['a bucket address tested', /startsWith\(\s*['"`]s3:/, [ADDRESS_MODULE]],
  ['a bucket address matched', /\/\^s3:/, [ADDRESS_MODULE]],
  ['a bucket address written', /`s3:\/\/\$\{/, [ADDRESS_MODULE]],
  ['a device address split at its colon', /\.indexOf\(\s*['"]:['"]\s*\)/, [ADDRESS_MODULE]],
  ['a path tested for a bucket\'s form (a location\'s kind is recorded; a typed address is read by placeKind)', /\bisBucketAddress\(/, STORAGE_PLACES],
  ['a storage told by its class (ask its kind, caps or local)', /\binstanceof\s+\w*(?:Disk|Storage|Bucket)\b/, STORAGE_PLACES],
];

/** The code of DIR: TypeScript and the web app's TSX, tests left out. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return sources(p);
    return /\.tsx?$/.test(d.name) && !/\.test\.tsx?$/.test(d.name) ? [p] : [];
  });
}

describe('address forms are told apart in one module', () => {
  it(`no code outside ${ADDRESS_MODULE} takes a path, DEVICE:/LOCATION/PATH or s3://BUCKET/PREFIX apart, nor outside storage/ and volumes/ tells a location's kind by its path or a storage by its class`, () => {
    const found: string[] = [];
    const files = [...sources(join(REPO, 'src')), ...sources(join(REPO, 'web', 'src'))];
    assert.ok(files.some((f) => f.endsWith('.tsx')), 'the web app\'s TSX is read');
    for (const file of files) {
      const rel = relative(REPO, file).split('\\').join('/');
      readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
        for (const [what, re, allowed] of FORMS) {
          if (re.test(line) && !allowed.some((a) => (a.endsWith('/') ? rel.startsWith(a) : rel === a))) found.push(`${rel}:${i + 1}: ${what}: ${line.trim().slice(0, 120)}`);
        }
      });
    }
    assert.deepEqual(found, []);
  });

  it('the check finds each form', () => {
    const lines = [
      "if (to.startsWith('s3://')) x();", 'const m = /^s3:\\/\\/(.*)/.exec(u);', 'return `s3://${b}/${k}`;', "const colon = address.indexOf(':');",
      "if (isBucketAddress(loc.path)) y();", 'const local = storage instanceof LocalDisk ? storage : undefined;', 'if (s instanceof BucketStorage) z();',
    ];
    assert.deepEqual(lines.map((l) => FORMS.filter(([, re]) => re.test(l)).length), [1, 1, 1, 1, 1, 1, 1]);
  });
});
