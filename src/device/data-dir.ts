import envPaths from 'env-paths';
import { resolve } from 'node:path';

/**
 * Where this installation keeps its identity and its list of libraries:
 * --data-dir, else VSS_DATA_DIR, else the platform's app-data dir (e.g. ~/.local/share/vss).
 */
export function resolveDataDir(explicit?: string): string {
  if (explicit) return resolve(explicit);
  const fromEnv = process.env.VSS_DATA_DIR;
  if (fromEnv) return resolve(fromEnv);
  return envPaths('vss', { suffix: '' }).data;
}
