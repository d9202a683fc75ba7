import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { parsed } from './parsed.js';

/** One module reference that is there when the code runs (type-only imports are erased by tsc). */
export interface RuntimeImport {
  /** The importing file, relative to the source root (`api/vss.ts`). */
  from: string;
  /** The imported file, relative to the source root (`daemon/index.ts`). */
  to: string;
  /** How it is referenced: `import`, `export`, `import()` or `new URL()` (a worker's file). */
  how: 'import' | 'export' | 'import()' | 'new URL()';
}

/** Every `.ts` file under ROOT that is not a test, relative to ROOT. */
export function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)) out.push(relative(root, p).split(sep).join('/'));
    }
  };
  walk(root);
  return out.sort();
}

const typeOnlyImport = (clause: ts.ImportClause | undefined): boolean => {
  if (!clause) return false; // `import './x.js'`: run for its effects
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const b = clause.namedBindings;
  if (!b || ts.isNamespaceImport(b)) return false;
  return b.elements.length > 0 && b.elements.every((e) => e.isTypeOnly);
};

const typeOnlyExport = (d: ts.ExportDeclaration): boolean => {
  if (d.isTypeOnly) return true;
  const c = d.exportClause;
  return !!c && ts.isNamedExports(c) && c.elements.length > 0 && c.elements.every((e) => e.isTypeOnly);
};

/**
 * The run-time references of FILE (relative to ROOT) to other files under ROOT: static imports and
 * re-exports that are not type-only, dynamic `import()`, and `new URL('./x.js', import.meta.url)`
 * (a worker thread's or child's module). Specifiers outside ROOT (packages, node:) are left out.
 */
export function runtimeImports(root: string, file: string, text = readFileSync(join(root, file), 'utf8')): RuntimeImport[] {
  const sf = parsed(file, text);
  const found: RuntimeImport[] = [];
  const add = (spec: string, how: RuntimeImport['how']) => {
    if (!spec.startsWith('.')) return;
    const abs = resolve(root, dirname(file), spec).replace(/\.js$/, '.ts');
    const rel = relative(root, abs).split(sep).join('/');
    if (rel.startsWith('..')) return;
    found.push({ from: file, to: rel, how });
  };
  const visit = (n: ts.Node) => {
    if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier)) {
      if (!typeOnlyImport(n.importClause)) add(n.moduleSpecifier.text, 'import');
    } else if (ts.isExportDeclaration(n) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) {
      if (!typeOnlyExport(n)) add(n.moduleSpecifier.text, 'export');
    } else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const a = n.arguments[0];
      if (a && ts.isStringLiteralLike(a)) add(a.text, 'import()');
    } else if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'URL') {
      const [a, base] = n.arguments ?? [];
      if (a && ts.isStringLiteralLike(a) && base?.getText(sf) === 'import.meta.url' && /\.js$/.test(a.text)) add(a.text, 'new URL()');
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

/** The top-level folder of a path relative to the source root (`api/vss.ts` → `api`); a file at the root is its own name. */
export const topFolder = (rel: string): string => rel.split('/')[0]!;
