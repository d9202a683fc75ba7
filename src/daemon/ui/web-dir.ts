import { fileURLToPath } from 'node:url';

/** The built web UI: dist/web beside this module's dist/src; VSS_WEB_DIR overrides it (tests, development). */
export function defaultWebDir(): string {
  return process.env.VSS_WEB_DIR || fileURLToPath(new URL('../../../web/', import.meta.url));
}
