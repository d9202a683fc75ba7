// Writes src/cli/command-manifest.ts from the compiled modules of commands (`npm run gen:cli`
// after adding or changing a top-level command; src/cli/command-manifest.test.ts says when).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const { manifestOf, manifestSource } = await import('../dist/src/cli/manifest-gen.js');
const file = fileURLToPath(new URL('../src/cli/command-manifest.ts', import.meta.url));
const source = manifestSource(await manifestOf());
if (readFileSync(file, 'utf8') === source) console.log('src/cli/command-manifest.ts: as it was');
else {
  writeFileSync(file, source);
  console.log('src/cli/command-manifest.ts: written (build again)');
}
