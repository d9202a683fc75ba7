import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VssError } from '../core/errors.js';
import { copySymlink, linkAs, sameSymlink } from './local-copy.js';
import { deviceAt, entriesIn, factsAt, namesIn, realPathOf, removeEmptyFolders, renameAcross, shownName, utf8Name, writeAccess } from './local-tree.js';

describe('a local tree named by absolute paths', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vss-local-tree-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const at = (...p: string[]) => join(dir, ...p);

  it('tells what is at a name without following a symlink, a FIFO apart from a file', () => {
    writeFileSync(at('f'), 'hello');
    mkdirSync(at('d'));
    symlinkSync('f', at('l'));
    execFileSync('mkfifo', [at('p')]);
    assert.equal(factsAt(at('f'))?.kind, 'file');
    assert.equal(factsAt(at('f'))?.size, 5);
    assert.equal(factsAt(at('f'))?.inode, statSync(at('f')).ino);
    assert.equal(factsAt(at('d'))?.kind, 'dir');
    assert.equal(factsAt(at('l'))?.kind, 'symlink');
    assert.equal(factsAt(at('p'))?.kind, 'fifo');
    assert.equal(factsAt(at('none')), undefined);
  });

  it('lists a folder with its folders and files told apart; a folder not there has no names', () => {
    const list = entriesIn(dir).sort((a, b) => (a.name < b.name ? -1 : 1));
    assert.deepEqual(list.map((e) => [e.name, e.dir, e.file]), [['d', true, false], ['f', false, true], ['l', false, false], ['p', false, false]]);
    assert.deepEqual(namesIn(at('d')), []);
    assert.equal(namesIn(at('none')), undefined);
  });

  it('finds the device and real place of a path, nothing for one not there', () => {
    assert.equal(deviceAt(dir), statSync(dir).dev);
    assert.equal(deviceAt(at('none')), undefined);
    assert.equal(realPathOf(at('l')), realPathOf(at('f')));
    assert.equal(realPathOf(at('none')), undefined);
    assert.equal(writeAccess(dir), 'ok');
  });

  it('renames across folders, refusing a taken name unless asked to replace it', async () => {
    mkdirSync(at('a'));
    mkdirSync(at('b'));
    writeFileSync(at('a', 'x'), 'x');
    writeFileSync(at('b', 'y'), 'y');
    await assert.rejects(renameAcross(at('a', 'x'), at('b', 'y')), (err) => err instanceof VssError && err.code === 'ALREADY_EXISTS');
    assert.equal(readFileSync(at('b', 'y'), 'utf8'), 'y');
    await renameAcross(at('a', 'x'), at('b', 'x'));
    assert.ok(!existsSync(at('a', 'x')));
    assert.equal(readFileSync(at('b', 'x'), 'utf8'), 'x');
    writeFileSync(at('a', 'z'), 'z');
    await renameAcross(at('a', 'z'), at('b', 'y'), { replace: true });
    assert.ok(!existsSync(at('a', 'z')));
    assert.equal(readFileSync(at('b', 'y'), 'utf8'), 'z', 'asked to, it replaces the file there in one step');
  });

  it('removes the empty folders of a tree, keeping one that holds something', () => {
    mkdirSync(at('t', 'e1', 'e2'), { recursive: true });
    mkdirSync(at('t', 'full'));
    writeFileSync(at('t', 'full', 'k'), 'k');
    removeEmptyFolders(at('t'));
    assert.ok(!existsSync(at('t', 'e1')));
    assert.ok(existsSync(at('t', 'full', 'k')));
  });

  it('copies a symlink as its own text and a second name as a hard link', () => {
    symlinkSync('../somewhere/else', at('link'));
    copySymlink(at('link'), at('link-copy'));
    assert.ok(sameSymlink(at('link'), at('link-copy')));
    linkAs(at('f'), at('f2'));
    assert.equal(statSync(at('f2')).ino, statSync(at('f')).ino);
  });

  it('lists a name that is not UTF-8 as such, shown with \\xNN, apart from a name that holds U+FFFD itself', (t) => {
    const d = at('names');
    mkdirSync(d);
    try {
      writeFileSync(Buffer.concat([Buffer.from(`${d}/`), Buffer.from([0x62, 0xff, 0xe2, 0x82, 0x2e, 0x6a])]), 'x');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EILSEQ' || (err as NodeJS.ErrnoException).code === 'EINVAL') return t.skip('this filesystem refuses names that are not UTF-8');
      throw err;
    }
    writeFileSync(join(d, 'real\uFFFD.txt'), 'y');
    mkdirSync(join(d, 'café'));
    const list = entriesIn(d).sort((a, b) => (a.name < b.name ? -1 : 1));
    assert.deepEqual(list, [
      { name: 'b\\xff\\xe2\\x82.j', dir: false, file: true, unnamed: true },
      { name: 'café', dir: true, file: false },
      { name: 'real\uFFFD.txt', dir: false, file: true },
    ]);
    assert.equal(shownName(Buffer.from('plain €')), 'plain €');
    assert.equal(utf8Name(Buffer.from([0xed, 0xa0, 0x80])), undefined, 'a UTF-16 surrogate written as UTF-8 is not UTF-8');
  });
});
