/** Where a sidecar that is not here comes from first (DESIGN §9 "Resolver"). */
export type Prefer = 'fetch' | 'generate' | 'auto';
export const PREFER_VALUES: readonly Prefer[] = ['fetch', 'generate', 'auto'];
