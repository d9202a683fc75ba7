import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import type { Command } from 'commander';
import { wholeProgram } from '../../src/cli/program-for.js';
import { REPO } from '../helpers.js';
import { docPages, firstPage, README, shellLines, vssCalls } from '../support/readme.js';

/**
 * The README's first page takes a newcomer from a fresh clone to the demo, their own photos, the
 * web UI and a paired phone (issue 58): within its first 150 lines, in commands this CLI has, with
 * nothing from outside the repository (a user's clone has no `../shared`). Every `vss …` the
 * README and the user guide (docs/guide/) show names a command and options the CLI has (checked
 * against its own command table), and every link between them and docs/ finds its page and section.
 */
const FIRST_PAGE_LINES = 150;

/** Why the CLI would not take ARGS as a command of its own (undefined: it would). */
function refusal(program: Command, args: readonly string[]): string | undefined {
  const longs = (c: Command) => c.options.flatMap((o) => [o.long, o.short]).filter((f): f is string => f !== undefined);
  const root = new Set([...longs(program), '--help', '-h']);
  let at = program;
  const path: string[] = [];
  for (const word of args) {
    if (word.startsWith('-')) {
      const flag = word.split('=')[0]!;
      if (!root.has(flag) && !longs(at).includes(flag)) return `${['vss', ...path].join(' ')} has no option ${flag}`;
      continue;
    }
    const sub = at.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (sub) {
      at = sub;
      path.push(word);
    } else if (at === program) return `vss has no command ${word}`;
    // A word past a group of commands that does nothing itself (`vss library`) must be one of them.
    else if (at.commands.length > 0 && !(at as unknown as { _actionHandler: unknown })._actionHandler) return `vss ${path.join(' ')} has no command ${word}`;
  }
  return at === program ? 'no command' : undefined;
}

/** Inline `vss …` spans of TEXT outside code blocks. */
function inlineCalls(text: string): string[][] {
  const prose = text.replace(/^```[\s\S]*?^```/gm, '');
  return [...prose.matchAll(/`(vss [^`]+)`/g)].flatMap((m) => vssCalls([m[1]!]));
}

/** GitHub's anchor of a heading: lowercase, punctuation dropped, spaces to dashes. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/** The anchors of a markdown page's headings (none inside code blocks). */
function anchorsOf(text: string): Set<string> {
  return new Set([...text.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));
}

describe("the README's first page (issue 58)", () => {
  const page = firstPage();

  it(`gets from a fresh clone to the demo, your photos, the web UI and a paired phone within ${FIRST_PAGE_LINES} lines`, () => {
    const lines = page.split('\n').length;
    assert.ok(lines <= FIRST_PAGE_LINES, `the first page is ${lines} lines`);
    const calls = vssCalls(shellLines(page)).map((c) => c.join(' '));
    for (const step of ['demo', 'library create', 'location add', 'jobs run', 'daemon start', 'ui --open', 'daemon start --lan', 'ui pair', 'devices list']) {
      assert.ok(calls.some((c) => c.startsWith(step)), `the first page runs vss ${step}: ${calls.join(' · ')}`);
    }
    assert.match(shellLines(page).join('\n'), /^npm ci\b/m, 'it starts from npm ci');
    const node = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node.replace('>=', '');
    assert.ok(page.includes(`Node.js ≥ ${node}`), `it names the Node package.json asks for (${node})`);
  });

  it('uses nothing a clone of this repository lacks: no ../shared, no DESIGN.md; every link there is in it', () => {
    assert.doesNotMatch(page, /\.\.\/shared|DESIGN\.md/);
    for (const m of page.matchAll(/\]\(([^)#]+)(#[^)]*)?\)/g)) {
      if (/^https?:/.test(m[1]!)) continue;
      assert.ok(existsSync(join(REPO, m[1]!)), `the first page links ${m[1]}, which this repository has not`);
    }
  });

  it('shows only commands and options the CLI has, in its code and in its text', async () => {
    const program = await wholeProgram();
    const calls = [...vssCalls(shellLines(page)), ...inlineCalls(page)];
    assert.ok(calls.length >= 12, `${calls.length} commands found`);
    const wrong = calls.map((c) => [c.join(' '), refusal(program, c)] as const).filter(([, why]) => why !== undefined);
    assert.deepEqual(wrong, [], 'commands the CLI does not have');
  });
});

describe('the check of a command line', () => {
  it('refuses a command, a subcommand or an option the CLI has not, and takes what it has', async () => {
    const program = await wholeProgram();
    const check = (line: string) => refusal(program, vssCalls([line])[0]!);
    assert.equal(check('vss librar create Photos'), 'vss has no command librar');
    assert.equal(check('vss library creat Photos'), 'vss library has no command creat');
    assert.equal(check('vss location add ~/Pictures --mod deep'), 'vss location add has no option --mod');
    assert.equal(check('X=1 ./bin/vss ui --opn'), 'vss ui has no option --opn');
    for (const ok of ['vss ui --open', 'vss ui pair --name "My phone" --json', 'vss --json devices list', 'vss content show ~/a.jpg', 'vss people list --no-hidden', 'vss devices unpair NAS']) {
      assert.equal(check(ok), undefined, ok);
    }
    assert.deepEqual(vssCalls(['vss daemon stop && vss daemon start --lan   # kept; a "quote" # and more']), [['daemon', 'stop'], ['daemon', 'start', '--lan']]);
  });
});

describe('the whole README and the user guide', () => {
  it('show only commands and options the CLI has, in every shell block and in their text', async () => {
    const program = await wholeProgram();
    const wrong = docPages().flatMap((page) => [...vssCalls(shellLines(page.text)), ...inlineCalls(page.text)]
      .map((c) => [`${page.path}: vss ${c.join(' ')}`, refusal(program, c)] as const)).filter(([, why]) => why !== undefined);
    assert.deepEqual(wrong, [], 'commands the CLI does not have');
  });

  it('every link from the README, the guide and docs/ to a markdown page of this repository finds the page and its section', () => {
    const docs = [...docPages().map((p) => p.path), ...readdirSync(join(REPO, 'docs')).filter((n) => n.endsWith('.md')).map((n) => `docs/${n}`)];
    const broken: string[] = [];
    for (const from of new Set(docs)) {
      const text = readFileSync(join(REPO, from), 'utf8').replace(/^```[\s\S]*?^```/gm, '');
      for (const m of text.matchAll(/\]\(([^)\s#]*\.md)?(?:#([^)\s]+))?\)/g)) {
        if (m[1] === undefined && m[2] === undefined) continue;
        const to = m[1] === undefined ? from : normalize(join(dirname(from), m[1]));
        // Beyond this repository (../shared, beside a clone only where the project is worked on): not ours to hold.
        if (to.startsWith('../')) continue;
        if (!existsSync(join(REPO, to))) {
          broken.push(`${from} → ${to} (no such page)`);
          continue;
        }
        if (m[2] !== undefined && !anchorsOf(readFileSync(join(REPO, to), 'utf8')).has(m[2])) broken.push(`${from} → ${to}#${m[2]}`);
      }
    }
    assert.deepEqual(broken, [], 'links to no page or to no section of it');
  });

  it('the guide\'s index and the README\'s contents link every page of the guide', () => {
    const pages = docPages().map((p) => p.path).filter((p) => p.startsWith('docs/guide/') && !p.endsWith('/README.md'));
    const index = readFileSync(join(REPO, 'docs/guide/README.md'), 'utf8');
    for (const page of pages) {
      const name = page.slice('docs/guide/'.length);
      assert.ok(index.includes(`](${name})`), `docs/guide/README.md links ${name}`);
      assert.ok(README.includes(`](${page})`), `the README's contents link ${page}`);
    }
  });
});
