import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { parsed } from './parsed.js';

/** Statements SQLite runs, as they start: a string that opens with one of these (in capitals) is SQL. */
const SQL_START = /^\s*\(?\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE|WITH|CREATE|DROP|ALTER|PRAGMA|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|VACUUM|ANALYZE)\s/;
/** Calls that hand text to SQLite, whatever the text. */
const SQL_CALLS = new Set(['prepare', 'pragma', 'exec']);

export interface SqlPlace {
  file: string;
  line: number;
  what: string;
}

/**
 * Where FILE (relative to ROOT) writes SQL: string literals and templates that open with an SQL
 * statement's first word, and calls of `.prepare()`, `.pragma()` or `.exec()` whose argument is
 * not a plain non-SQL string (RegExp's `exec` takes a string that is not SQL and is left alone).
 */
export function sqlPlaces(root: string, file: string, text = readFileSync(join(root, file), 'utf8')): SqlPlace[] {
  const sf = parsed(file, text);
  const out: SqlPlace[] = [];
  const at = (n: ts.Node, what: string) => out.push({ file, line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1, what });
  const head = (n: ts.Node): string | undefined => {
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) return n.text;
    if (ts.isTemplateExpression(n)) return n.head.text;
    return undefined;
  };
  const visit = (n: ts.Node) => {
    const h = head(n);
    if (h !== undefined && SQL_START.test(h)) at(n, h.trim().split(/\s+/).slice(0, 4).join(' '));
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && SQL_CALLS.has(n.expression.name.text)) {
      const arg = n.arguments[0];
      const name = n.expression.name.text;
      // `re.exec(text)`: a regular expression's, not a database's. A database's exec always gets SQL text.
      const regexExec = name === 'exec' && (arg === undefined || !(head(arg) !== undefined && SQL_START.test(head(arg)!)));
      if (!regexExec && !(arg && head(arg) !== undefined && SQL_START.test(head(arg)!))) at(n, `.${name}(…)`);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}
