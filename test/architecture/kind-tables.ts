import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { parsed } from './parsed.js';

/** A place that spells out something about two or more sidecar kinds by name: a table of kinds. */
export interface KindTable {
  file: string;
  line: number;
  /** The variable, property or function it is in (`SEARCHED_KINDS`), or '' at the top. */
  name: string;
  /** What it is: `{ thumb, ocr }`, `['thumb', 'ocr']`, `switch: thumb, ocr`. */
  what: string;
  /** An object whose kind-keyed values are only names (`{ thumb: thumbGenerator }`): a registry of the modules that do the work, not facts. */
  registry: boolean;
}

/**
 * The tables of kinds in FILE (relative to ROOT): object literals with two or more keys that are
 * kind names (KINDS), array literals with two or more strings that are, and switches with two or
 * more such cases. A fact of a kind written in one of them lives outside the kind's spec.
 */
export function kindTables(root: string, file: string, kinds: ReadonlySet<string>, text = readFileSync(join(root, file), 'utf8')): KindTable[] {
  const sf = parsed(file, text);
  const out: KindTable[] = [];
  const at = (n: ts.Node, named: string[], what: string, registry = false) => {
    if (named.length < 2) return;
    out.push({ file, line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1, name: nameOf(n), what: `${what.replace('…', named.join(', '))}`, registry });
  };
  const visit = (n: ts.Node) => {
    if (ts.isObjectLiteralExpression(n)) {
      const keyed = n.properties.filter((p) => p.name !== undefined && kinds.has(propertyName(p.name) ?? ''));
      const registry = keyed.every((p) => ts.isShorthandPropertyAssignment(p) || (ts.isPropertyAssignment(p) && ts.isIdentifier(p.initializer)));
      at(n, keyed.map((p) => propertyName(p.name!)!), '{ … }', registry);
    } else if (ts.isArrayLiteralExpression(n)) {
      at(n, n.elements.filter((e) => ts.isStringLiteralLike(e) && kinds.has(e.text)).map((e) => (e as ts.StringLiteralLike).text), '[ … ]');
    } else if (ts.isSwitchStatement(n)) {
      const cases = n.caseBlock.clauses.flatMap((c) => (ts.isCaseClause(c) && ts.isStringLiteralLike(c.expression) && kinds.has(c.expression.text) ? [c.expression.text] : []));
      at(n, cases, 'switch: …');
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

function propertyName(name: ts.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteralLike(name) || ts.isNumericLiteral(name) ? name.text : undefined;
}

/** The nearest named declaration around N. */
function nameOf(n: ts.Node): string {
  for (let p: ts.Node | undefined = n.parent; p; p = p.parent) {
    if ((ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || ts.isFunctionDeclaration(p) || ts.isMethodDeclaration(p)) && p.name && ts.isIdentifier(p.name)) return p.name.text;
  }
  return '';
}
