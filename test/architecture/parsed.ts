import ts from 'typescript';

/**
 * Each source file parsed once per process, whichever check reads it: the architecture checks
 * each walk all of src/ (and web/src/), and npm test runs them in one process
 * (scripts/run-tests.mjs), so the second check reads the trees the first one made. Keyed by the
 * file's name and text: a check's own sample text is parsed as given.
 */
const trees = new Map<string, ts.SourceFile>();

export function parsed(file: string, text: string): ts.SourceFile {
  const key = `${file}\0${text}`;
  let sf = trees.get(key);
  if (!sf) {
    sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
    trees.set(key, sf);
  }
  return sf;
}
