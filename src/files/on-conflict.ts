/**
 * What a copy or move does when its target name is taken: leave the existing file and skip
 * this one, keep both (the new one named `NAME (2).EXT` …, as `content get` names them), or
 * replace the existing file. Default: keep-both — nothing a user had is ever lost by a copy.
 */
export const ON_CONFLICT = ['skip', 'keep-both', 'replace'] as const;
export type OnConflict = (typeof ON_CONFLICT)[number];
export const DEFAULT_ON_CONFLICT: OnConflict = 'keep-both';

export function isOnConflict(v: unknown): v is OnConflict {
  return typeof v === 'string' && (ON_CONFLICT as readonly string[]).includes(v);
}
