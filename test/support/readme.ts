import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers.js';

/**
 * The README and the user guide (docs/guide/) read as their commands (issue 58): the README's first
 * page, the lines of ```sh blocks and the vss calls in them. Shared by the test that checks they
 * are commands of the CLI (test/install/readme-first-page.test.ts), the one that runs the first
 * page (test/browser/ui-readme-first-hour.test.ts) and the ones that run every page's examples
 * (test/support/doc-examples.ts).
 */
/** The README as it is in this checkout. */
export const README = readFileSync(join(REPO, 'README.md'), 'utf8');

/** A page of the README or the guide: its path from the repository's root, and its text. */
export interface DocPage {
  path: string;
  text: string;
}

/** The user guide's pages (docs/guide/*.md), by name, their index (README.md) first. */
export function guidePages(): DocPage[] {
  const dir = join(REPO, 'docs', 'guide');
  const names = readdirSync(dir).filter((n) => n.endsWith('.md')).sort((a, b) => Number(b === 'README.md') - Number(a === 'README.md') || a.localeCompare(b));
  return names.map((n) => ({ path: `docs/guide/${n}`, text: readFileSync(join(dir, n), 'utf8') }));
}

/** The README and every page of the guide. */
export function docPages(): DocPage[] {
  return [{ path: 'README.md', text: README }, ...guidePages()];
}

/** The README from its title to the end of "Your first hour" (the next `## ` heading). */
export function firstPage(): string {
  const start = README.indexOf('\n## Your first hour');
  assert.ok(start > 0, 'the README has a "Your first hour" section');
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(0, end < 0 ? README.length : end);
}

/** Shell lines of the ```sh blocks of TEXT, a line continued by `\` joined to the next. */
export function shellLines(text: string): string[] {
  const lines: string[] = [];
  for (const m of text.matchAll(/^```sh\n([\s\S]*?)^```/gm)) lines.push(...m[1]!.replace(/\\\n\s*/g, ' ').split('\n'));
  return lines;
}

/** The words of a shell LINE, quotes taken off, up to a comment; one list per command (`&&`, `;`, `|`). */
export function commandsOf(line: string): string[][] {
  const commands: string[][] = [[]];
  let word: string | null = null;
  let quote: string | null = null;
  const end = () => {
    if (word !== null) commands[commands.length - 1]!.push(word);
    word = null;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote !== null) {
      if (c === quote) quote = null;
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (/\s/.test(c)) end();
    else if (c === '#' && word === null) break;
    else if (c === ';' || c === '|' || (c === '&' && line[i + 1] === '&')) {
      end();
      if (c === '&' || (c === '|' && line[i + 1] === '|')) i++;
      commands.push([]);
    } else word = (word ?? '') + c;
  }
  end();
  return commands;
}

/** The vss commands of shell LINES: the words after `vss` (or `./bin/vss`), past any `NAME=value` before it. */
export function vssCalls(lines: readonly string[]): string[][] {
  const calls: string[][] = [];
  for (const line of lines) {
    for (let words of commandsOf(line)) {
      while (words.length > 0 && /^[A-Z_]+=/.test(words[0]!)) words = words.slice(1);
      if (words[0] === 'vss' || words[0] === './bin/vss') calls.push(words.slice(1));
    }
  }
  return calls;
}

