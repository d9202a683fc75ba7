import { createRequire } from 'node:module';
import type cliProgressModule from 'cli-progress';

const require = createRequire(import.meta.url);
let loaded: typeof cliProgressModule | undefined;

/** cli-progress, loaded the first time a bar is drawn (a command that draws none never loads it; it is CommonJS, so this can be synchronous). */
export function cliProgress(): typeof cliProgressModule {
  return (loaded ??= require('cli-progress') as typeof cliProgressModule);
}
