import { UsageError } from '../core/errors.js';

/** VALUE when it is one of ALLOWED; else a usage error that names the input (`--mode`, `kind`) and the choices. */
export function oneOf<T extends string>(allowed: readonly T[], value: string, name: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  return value as T;
}
