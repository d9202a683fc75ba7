/** The most results one search answers (a page; the rest by its cursor). */
export const MAX_LIMIT = 500;

/** What a search with nothing to find is told: the forms a query takes. */
export const SAY_WHAT = 'say what to find: words (beach), "a phrase", a prefix (beac*), or filters alone: tag:Family, person:Ana, album:Holidays, place:Dubrovnik, kind:video, date:2024-06, rating:>=4, is:favorite';
