import type { FastifyError } from 'fastify';
import { VssError, type VssErrorCode } from '../core/errors.js';
import type { ErrorBody } from '../api/remote/protocol.js';

/** HTTP status of each core error code: a new code must be placed here (the type says so). */
export const STATUS_OF_CODE = {
  USAGE: 400,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  LIBRARY_LOCKED: 409,
  LIBRARY_INVALID: 400,
  NO_CURRENT_LIBRARY: 409,
  LOCATION_INVALID: 400,
  LOCATION_CONFLICT: 409,
  MIGRATION_FAILED: 500,
  DEVICE_INVALID: 500,
  MODEL_INVALID: 400,
  PATH_REFUSED: 400,
  NO_DAEMON: 409,
  PAIRING: 409,
  PEER: 502,
  UNAVAILABLE: 503,
  WRONG_STATE: 409,
  POLICY: 409,
  IO: 500,
} as const satisfies Record<VssErrorCode, number>;

/** The status and JSON body for an error thrown by a route, the core, or fastify itself. */
export function errorReply(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof VssError) {
    return { status: STATUS_OF_CODE[err.code], body: { error: { code: err.code, message: err.message, ...(err.path !== undefined ? { path: err.path } : {}) } } };
  }
  const e = err as Partial<FastifyError>;
  const status = typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 600 ? e.statusCode : 500;
  const message = e.message ?? String(err);
  if (status === 413) return { status, body: { error: { code: 'BODY_TOO_LARGE', message } } };
  if (status === 503) return { status, body: { error: { code: 'UNAVAILABLE', message } } };
  if (status < 500) return { status, body: { error: { code: 'BAD_REQUEST', message } } };
  return { status, body: { error: { code: 'INTERNAL', message } } };
}
