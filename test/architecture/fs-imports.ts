import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { parsed } from './parsed.js';

/** The file-system modules of node, under every name they are reached by. */
export const FS_MODULES = new Set(['node:fs', 'fs', 'node:fs/promises', 'fs/promises']);

/** One reference to a file-system module in a source file. */
export interface FsImport {
  file: string;
  line: number;
  /** How: `import`, `import type`, `export`, `import()` or `require()`. */
  how: string;
}

/**
 * Every reference of FILE (relative to ROOT) to node's file-system modules: static imports (type-only
 * ones too: the domain speaks the storage's types), re-exports, dynamic `import()` and `require()`.
 */
export function fsImports(root: string, file: string, text = readFileSync(join(root, file), 'utf8')): FsImport[] {
  const sf = parsed(file, text);
  const found: FsImport[] = [];
  const add = (n: ts.Node, how: string) => found.push({ file, line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1, how });
  const visit = (n: ts.Node) => {
    if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier) && FS_MODULES.has(n.moduleSpecifier.text)) {
      add(n, n.importClause?.isTypeOnly ? 'import type' : 'import');
    } else if (ts.isExportDeclaration(n) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier) && FS_MODULES.has(n.moduleSpecifier.text)) {
      add(n, 'export');
    } else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal) && FS_MODULES.has(n.argument.literal.text)) {
      add(n, 'import type');
    } else if (ts.isCallExpression(n)) {
      const a = n.arguments[0];
      const dynamic = n.expression.kind === ts.SyntaxKind.ImportKeyword;
      const required = ts.isIdentifier(n.expression) && n.expression.text === 'require';
      if ((dynamic || required) && a && ts.isStringLiteralLike(a) && FS_MODULES.has(a.text)) add(n, dynamic ? 'import()' : 'require()');
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}
