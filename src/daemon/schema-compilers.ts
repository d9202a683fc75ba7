import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

// fastify's own dependencies, found as fastify finds them (they are not vss's).
const require = createRequire(createRequire(import.meta.url).resolve('fastify'));
type Factory = (...args: unknown[]) => unknown;
let validator: Factory | undefined;
let serializer: Factory | undefined;

/**
 * fastify's schema compilers (ajv with its formats, fast-json-stringify), loaded when a route
 * first declares a schema. fastify requires both when an instance is made, a tenth of a second of
 * CPU at every daemon's start, and vss's routes declare none: they check what they are sent
 * themselves. Each builder is fastify's own default, made at its first call. (A builder given here
 * counts as a custom compiler to fastify, which then leaves a `headers` schema's property names
 * as written instead of lower-casing them: write them in lower case.)
 */
export const lazySchemaCompilers: NonNullable<FastifyServerOptions['schemaController']> = {
  compilersFactory: {
    buildValidator: ((...args: unknown[]) => (validator ??= (require('@fastify/ajv-compiler') as () => Factory)())(...args)) as never,
    buildSerializer: ((...args: unknown[]) => (serializer ??= (require('@fastify/fast-json-stringify-compiler') as () => Factory)())(...args)) as never,
  },
};
