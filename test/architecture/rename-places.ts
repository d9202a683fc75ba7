import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { parsed } from './parsed.js';

/** One call that renames a file, found in a source file. */
export interface RenamePlace {
  file: string;
  line: number;
  /** The call as written (`renameSync`, `fsp.rename`, `fs.promises.rename`). */
  what: string;
}

const FS_MODULES = new Set(['node:fs', 'fs', 'node:fs/promises', 'fs/promises']);
const PROMISES_MODULES = new Set(['node:fs/promises', 'fs/promises']);
const RENAMES = new Set(['rename', 'renameSync']);

/**
 * Every call of node's `rename`/`renameSync` in FILE (relative to ROOT): imported by name (under
 * any alias), or reached through the module (`import * as fs`, a default import, `promises as
 * fsp`, `fs.promises`). A method of vss's own named rename (a paired device's) is not a file's.
 */
export function renamePlaces(root: string, file: string, text = readFileSync(join(root, file), 'utf8')): RenamePlace[] {
  const sf = parsed(file, text);
  /** Local names bound to a rename function. */
  const fns = new Set<string>();
  /** Local names bound to node:fs or node:fs/promises (or fs.promises). */
  const mods = new Set<string>();
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier) || !FS_MODULES.has(st.moduleSpecifier.text)) continue;
    const clause = st.importClause;
    if (!clause || clause.isTypeOnly) continue;
    if (clause.name) mods.add(clause.name.text);
    const b = clause.namedBindings;
    if (!b) continue;
    if (ts.isNamespaceImport(b)) mods.add(b.name.text);
    else {
      for (const e of b.elements) {
        const imported = (e.propertyName ?? e.name).text;
        if (RENAMES.has(imported)) fns.add(e.name.text);
        else if (imported === 'promises' && !PROMISES_MODULES.has(st.moduleSpecifier.text)) mods.add(e.name.text);
      }
    }
  }
  const found: RenamePlace[] = [];
  const isModule = (e: ts.Expression): boolean =>
    (ts.isIdentifier(e) && mods.has(e.text)) || (ts.isPropertyAccessExpression(e) && e.name.text === 'promises' && isModule(e.expression));
  const visit = (n: ts.Node) => {
    // Any reference, called or handed on (`promisify(renameSync)`), counts.
    let hit = false;
    if (ts.isIdentifier(n) && fns.has(n.text) && !isDeclaredName(n)) hit = true;
    if (ts.isPropertyAccessExpression(n) && RENAMES.has(n.name.text) && isModule(n.expression)) hit = true;
    if (hit) found.push({ file, line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1, what: n.getText(sf) });
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

/** N names something other than the function it looks like: an import's own name, a member's or a property's. */
function isDeclaredName(n: ts.Identifier): boolean {
  const p = n.parent;
  if (ts.isImportSpecifier(p)) return true;
  if (ts.isPropertyAccessExpression(p) && p.name === n) return true;
  return (ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertySignature(p) || ts.isMethodSignature(p)) && p.name === n;
}
