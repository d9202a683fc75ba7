import { build } from 'esbuild';
import { join } from 'node:path';
import { REPO } from '../helpers.js';

/**
 * A module of the web app (web/src/NAME), bundled by esbuild as the app's build bundles it and
 * imported here, so its logic is tested as shipped. Only modules without DOM or React parts.
 * (The app is compiled apart from the Node code: callers declare the module's functions they use;
 * the daemon's shapes they pass are in src/wire.)
 */
export async function importWebModule<T>(name: string): Promise<T> {
  const out = await build({
    entryPoints: [join(REPO, 'web', 'src', name)],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    logLevel: 'silent',
  });
  const code = out.outputFiles[0]!.text;
  return (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as T;
}
