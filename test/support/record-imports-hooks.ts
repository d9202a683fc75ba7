/** Module-loader hooks for record-imports.ts: runs on the loader thread, appends each resolved URL. */
import { appendFileSync } from 'node:fs';

let out = '';

export function initialize(data: { out: string }): void {
  out = data.out;
}

type Resolve = (specifier: string, context: unknown, next: (s: string, c: unknown) => Promise<{ url: string }>) => Promise<{ url: string }>;

export const resolve: Resolve = async (specifier, context, next) => {
  const result = await next(specifier, context);
  appendFileSync(out, result.url + '\n');
  return result;
};
