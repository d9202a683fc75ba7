import type { VssErrorCode } from '../../core/errors.js';
import type { SignedOutReason } from './signed-out.js';

/**
 * What travels between the daemon and its clients besides the operations themselves (those are
 * the table in operations.ts): the lines of a streamed answer and the shape of every error.
 */
export { OPERATIONS, fillPath, operationUrl, type ArgSpec, type FieldSpec, type OperationName, type OperationSpec } from './operations.js';

/** One line of a streamed answer. */
export type StreamLine =
  | { event: string; payload: unknown }
  | { call: string; args: unknown[] }
  | { result: unknown }
  | { error: ErrorBody['error'] };

/** Codes of errors the HTTP layer itself answers with (beside the core's own). */
export type HttpErrorCode = 'UNAUTHORIZED' | 'FORBIDDEN' | 'ROUTE_NOT_FOUND' | 'BODY_TOO_LARGE' | 'BAD_REQUEST' | 'INTERNAL';

/** Every error body: `{error: {code, message, path?}}`; a 401 also says why the browser is not signed in (`reason`). */
export interface ErrorBody {
  error: { code: VssErrorCode | HttpErrorCode; message: string; path?: string; reason?: SignedOutReason };
}
