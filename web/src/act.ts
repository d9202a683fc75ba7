import type { OperationName } from '../../src/api/remote/operations.js';
import { api } from './api.js';
import { methodOf } from './api-paths.js';
import { reportError } from './errors.js';

/**
 * A change asked of the daemon from a view: its error shown in the error region, not thrown;
 * THEN (the view's reload) after it either way. Whether it went through.
 */
export async function act(op: OperationName, path: string, body: unknown, then: () => void): Promise<boolean> {
  try {
    await api(methodOf(op), path, body);
    return true;
  } catch (err) {
    reportError(err);
    return false;
  } finally {
    then();
  }
}
