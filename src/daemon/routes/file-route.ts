/**
 * The route a file operation (a sidecar's file, an original) is served on: its address up to the
 * content's uuid, then a wildcard, so that every malformed tail (a `..`, an encoded slash, a NUL, a
 * segment too many) reaches the route's own checks and gets a 400 rather than the router's 404.
 * One place, so what serves it and what lets a view-only browser call it name the same route.
 */
export function fileRoute(path: string): string {
  const at = path.indexOf('/:uuid');
  if (at < 0) throw new Error(`no :uuid in ${path}`);
  return `${path.slice(0, at)}/*`;
}
