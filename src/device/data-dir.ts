import envPaths from 'env-paths';
import { join, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';

/** Named data dirs live here, so that several devices can run side by side on one machine. */
export const INSTANCES_DIR = 'instances';

const INSTANCE_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** The platform's app-data dir (e.g. ~/.local/share/vss): the default data dir. */
export function appDataDir(): string {
  return envPaths('vss', { suffix: '' }).data;
}

/** Why NAME cannot name an instance, or null when it can. */
export function instanceNameProblem(name: string): string | null {
  if (!INSTANCE_NAME.test(name)) return 'an instance name is 1 to 64 of the characters A-Z a-z 0-9 . _ -';
  if (name === '.' || name === '..') return `an instance may not be named ${name}`;
  return null;
}

/** The data dir of instance NAME: <app-data>/instances/NAME. */
export function instanceDataDir(name: string): string {
  const problem = instanceNameProblem(name);
  if (problem) throw new UsageError(`${problem}: ${JSON.stringify(name)}`);
  return join(appDataDir(), INSTANCES_DIR, name);
}

/**
 * Where this installation keeps its identity and its list of libraries: --data-dir, else
 * --instance NAME (<app-data>/instances/NAME), else VSS_DATA_DIR, else VSS_INSTANCE, else the
 * platform's app-data dir. A flag wins over the environment; two names for the data dir at the
 * same level are a usage error, since either choice could be the wrong device.
 */
export function resolveDataDir(explicit?: string, instance?: string): string {
  if (explicit !== undefined && instance !== undefined) throw new UsageError('--data-dir and --instance both name the data dir; give one');
  if (explicit) return resolve(explicit);
  if (instance !== undefined) return instanceDataDir(instance);
  const fromEnv = process.env.VSS_DATA_DIR;
  const instanceFromEnv = process.env.VSS_INSTANCE;
  if (fromEnv && instanceFromEnv) throw new UsageError('VSS_DATA_DIR and VSS_INSTANCE both name the data dir; set one');
  if (fromEnv) return resolve(fromEnv);
  if (instanceFromEnv) return instanceDataDir(instanceFromEnv);
  return appDataDir();
}

/** The instance whose data dir DATA_DIR is, or null (the default data dir, or one given by path). */
export function instanceOf(dataDir: string): string | null {
  const parent = resolve(dataDir, '..');
  const name = resolve(dataDir).slice(parent.length + 1);
  return parent === join(appDataDir(), INSTANCES_DIR) && instanceNameProblem(name) === null ? name : null;
}
