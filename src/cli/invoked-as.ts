import { existsSync, realpathSync } from 'node:fs';
import { delimiter, isAbsolute, join, relative } from 'node:path';

let known: string | undefined;

/**
 * How the user runs vss, for the hints vss prints (`run \`vss daemon start\``): `vss` when the
 * `vss` on the PATH is this one (after `npm link`), `npx vss` under npm exec, else the launcher's
 * path as typed from here (`./bin/vss`), so a hint can be pasted as it is.
 */
export function invokedAs(): string {
  return (known ??= find());
}

function find(): string {
  const launcher = process.argv[1];
  if (process.env.npm_command === 'exec') return 'npx vss';
  if (!launcher) return 'vss';
  let self: string;
  try {
    self = realpathSync(launcher);
  } catch {
    return 'vss';
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const there = join(dir, 'vss');
    try {
      if (existsSync(there) && realpathSync(there) === self) return 'vss';
    } catch {
      // An unreadable PATH entry is not this one.
    }
  }
  const rel = relative(process.cwd(), launcher);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return launcher;
  return rel.startsWith('.') ? rel : `./${rel}`;
}

let hint: RegExp | undefined;

/** The CLI's commands (the program's, at start): only `vss COMMAND` is a hint to rewrite ("vss never follows a symlink" is not). */
export function knowCommands(names: readonly string[]): void {
  const alts = [...names, '--help', '--version'].map((n) => n.replace(/[^a-z-]/g, '')).filter((n) => n !== '');
  hint = new RegExp(`(^|[\\s\`(])vss (?=(?:${alts.join('|')})(?:[\\s\`)'".,:;]|$))`, 'g');
}

/** TEXT with each hint of a command (`vss daemon start`) as the user runs vss. */
export function asRun(text: string): string {
  const name = invokedAs();
  if (name === 'vss' || hint === undefined) return text;
  return text.replace(hint, (_m, before: string) => `${before}${name} `);
}
