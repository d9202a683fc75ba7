import type { FastifyBaseLogger } from 'fastify';
import { VssError } from '../../api/index.js';
import type { ErrorBody } from '../protocol.js';

const STATUS: Record<string, number> = {
  USAGE: 400, NOT_FOUND: 404, ALREADY_EXISTS: 409, LIBRARY_LOCKED: 409, LOCATION_CONFLICT: 409,
  NO_CURRENT_LIBRARY: 409, PATH_REFUSED: 403,
};

/** The HTTP status of an error the core threw. */
export function errorStatus(err: unknown): number {
  if (err instanceof VssError) return STATUS[err.code] ?? 422;
  const status = (err as { statusCode?: number }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

/** The JSON every error answer carries: the core's code, its one-line message and its path. */
export function errorBody(err: unknown, log: FastifyBaseLogger): ErrorBody {
  if (err instanceof VssError) return { error: { code: err.code, message: err.message, ...(err.path !== undefined ? { path: err.path } : {}) } };
  const status = errorStatus(err);
  if (status >= 500) log.error({ err }, 'request failed');
  const message = err instanceof Error ? err.message : String(err);
  return { error: { code: status >= 500 ? 'INTERNAL' : 'REQUEST', message } };
}
