import { createRequire } from 'node:module';
import type sendType from '@fastify/send';

const require = createRequire(import.meta.url);
let loaded: typeof sendType | undefined;

/**
 * @fastify/send (a file's bytes with Range, HEAD and conditionals: the web app's files, sidecars
 * and originals), loaded at the first file served: with mime's tables it is some 30 ms of CPU that
 * a daemon serving no file (most of those a command or a test starts) paid at its start.
 */
export const send: typeof sendType = ((...args: Parameters<typeof sendType>) => (loaded ??= require('@fastify/send') as typeof sendType)(...args)) as typeof sendType;
