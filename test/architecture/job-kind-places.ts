import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { parsed } from './parsed.js';

/** A place in a source file where a job kind is defined, where a list of kinds is assembled, or where the kind types are named. */
export interface JobKindPlace {
  file: string;
  line: number;
  how: 'definition' | 'assembly' | 'type';
  what: string;
}

/** The properties that make an object a job kind (src/jobs/job-kind.ts), typed as one or not. */
const KIND_SHAPE = ['concurrency', 'timeoutMs', 'run'];

/**
 * FILE's (relative to ROOT) job kind places: an object literal with `concurrency`, `timeoutMs` and
 * `run` (a kind written out: `definition`); `new JobKinds(…)`, a call of `defaultJobKinds(…)`, or
 * a function, method or property declared as `jobKinds` (a list of kinds made: `assembly`); the
 * names `JobKind` or `JobKinds` anywhere, imports included (`type`: kinds handed around).
 */
export function jobKindPlaces(root: string, file: string, text = readFileSync(join(root, file), 'utf8')): JobKindPlace[] {
  const sf = parsed(file, text);
  const found: JobKindPlace[] = [];
  const add = (n: ts.Node, how: JobKindPlace['how'], what: string) => found.push({ file, line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1, how, what });
  const nameOf = (n: ts.PropertyName | ts.BindingName | undefined): string | undefined => (n && (ts.isIdentifier(n) || ts.isStringLiteral(n)) ? n.text : undefined);
  const visit = (n: ts.Node) => {
    if (ts.isObjectLiteralExpression(n)) {
      const props = new Set(n.properties.map((p) => nameOf(p.name)));
      if (KIND_SHAPE.every((k) => props.has(k))) add(n, 'definition', `{ ${KIND_SHAPE.join(', ')} }`);
    } else if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'JobKinds') {
      add(n, 'assembly', 'new JobKinds()');
    } else if (ts.isCallExpression(n) && ((ts.isIdentifier(n.expression) && n.expression.text === 'defaultJobKinds') || (ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'defaultJobKinds'))) {
      add(n, 'assembly', 'defaultJobKinds()');
    } else if ((ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isPropertyDeclaration(n) || ts.isVariableDeclaration(n) || ts.isPropertyAssignment(n)) && nameOf(n.name) === 'jobKinds') {
      add(n, 'assembly', 'jobKinds declared');
    } else if (ts.isIdentifier(n) && (n.text === 'JobKind' || n.text === 'JobKinds')) {
      add(n, 'type', n.text);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}
