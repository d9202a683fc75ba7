import ignore, { type Ignore } from 'ignore';

/**
 * gitignore-style rules, matched against paths relative to the location root. The library's
 * rules and the location's own are combined; a rule that is not valid gitignore syntax is refused
 * by `ignore` itself when added.
 */
export class IgnoreRules {
  private readonly matcher: Ignore;
  private readonly empty: boolean;

  constructor(rules: readonly string[]) {
    const cleaned = rules.map((r) => r.trim()).filter((r) => r.length > 0 && r.length <= 1024);
    this.matcher = ignore().add(cleaned);
    this.empty = cleaned.length === 0;
  }

  ignores(relPath: string, isDir: boolean): boolean {
    if (this.empty || relPath === '') return false;
    return this.matcher.ignores(isDir ? `${relPath}/` : relPath);
  }
}
