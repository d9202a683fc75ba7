import { createRequire } from 'node:module';
import type { Ignore } from 'ignore';

/**
 * `ignore` is loaded only for rules that need it: through ESM its load costs a walk worker
 * ~40 ms of CPU at start, and the rules most locations have (the leftovers, plain names) never do.
 */
let makeIgnore: (() => Ignore) | undefined;
const ignore = (): Ignore => (makeIgnore ??= createRequire(import.meta.url)('ignore') as () => Ignore)();

/** A rule that only names a file or folder (no slash inside, no wildcard, no negation). */
const PLAIN_NAME = /^[^*?[\]!\\/#]+\/?$/;
/** A rule that names the end (`*.swp`) or the start (`~$*`) of a file or folder's name, and nothing else. */
const NAME_END = /^\*([^*?[\]!\\/#]+)$/;
const NAME_START = /^([^*?[\]!\\/#]+)\*$/;

/**
 * Editor and system leftovers: swap files, backups, partial downloads, Office lock files and the
 * folder notes of macOS and Windows, and vss's own files in flight (`.vss-tmp-*`, the partials of
 * a copy or a received send, a volume's marker): indexed, a copy half made would be a content. Applied before the library's and the location's own rules,
 * so a negation there (`!*.part`) indexes them after all.
 */
export const LEFTOVER_RULES: readonly string[] = ['*.swp', '*~', '.DS_Store', 'Thumbs.db', 'desktop.ini', '*.part', '*.crdownload', '~$*', '.vss-*'];
/** node-ignore memoises every path it is asked about; rebuild it before that grows with the tree. */
const CHECKS_PER_MATCHER = 10_000;

/**
 * gitignore-style rules, matched against paths relative to the location root, ignoring case
 * (as `ignore` does by default: `Thumbs.db` and `thumbs.db` are the same noise). Plain name rules
 * (the defaults: .git, node_modules, ...) are a set look-up on the entry's name, and rules that
 * name only its end or start (`*.swp`, `~$*`) a comparison with it, as gitignore would match
 * them; anything richer goes to `ignore`, which implements gitignore's semantics exactly.
 */
export class IgnoreRules {
  private readonly names = new Set<string>();
  private readonly dirNames = new Set<string>();
  private readonly ends: string[] = [];
  private readonly starts: string[] = [];
  private readonly complex: string[] = [];
  private matcher: Ignore | null = null;
  private checks = 0;

  constructor(rules: readonly string[]) {
    const cleaned = rules.map((r) => r.trim()).filter((r) => r.length > 0 && r.length <= 1024 && !r.startsWith('#'));
    // A negation can re-include anything, so with one present every rule goes through `ignore`.
    const anyNegation = cleaned.some((r) => r.startsWith('!'));
    for (const rule of cleaned) {
      const end = anyNegation ? null : NAME_END.exec(rule);
      const start = anyNegation ? null : NAME_START.exec(rule);
      if (!anyNegation && PLAIN_NAME.test(rule)) {
        if (rule.endsWith('/')) this.dirNames.add(rule.slice(0, -1).toLowerCase());
        else this.names.add(rule.toLowerCase());
      } else if (end) {
        this.ends.push(end[1]!.toLowerCase());
      } else if (start) {
        this.starts.push(start[1]!.toLowerCase());
      } else {
        this.complex.push(rule);
      }
    }
    if (this.complex.length > 0) this.matcher = ignore().add(this.complex); // throws on a malformed rule
  }

  ignores(relPath: string, isDir: boolean, name = relPath.slice(relPath.lastIndexOf('/') + 1)): boolean {
    if (relPath === '') return false;
    if (this.names.size > 0 || this.dirNames.size > 0 || this.ends.length > 0 || this.starts.length > 0) {
      const lower = name.toLowerCase();
      if (this.names.has(lower) || (isDir && this.dirNames.has(lower))) return true;
      for (const e of this.ends) if (lower.endsWith(e)) return true;
      for (const p of this.starts) if (lower.startsWith(p)) return true;
    }
    if (!this.matcher) return false;
    if (++this.checks > CHECKS_PER_MATCHER) {
      this.matcher = ignore().add(this.complex);
      this.checks = 0;
    }
    return this.matcher.ignores(isDir ? `${relPath}/` : relPath);
  }
}
