import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The UI bench's anchor: a static page with the same number of grid cells as the library, plain
 * DOM virtualized by nothing but a fixed-height div (a scroll listener renders the rows on
 * screen, absolutely placed), the same thumbnails from the same kind of server (Node, loopback).
 * What the browser costs for this much grid with no framework and no data to fetch.
 */
export interface AnchorServer {
  url: string;
  close: () => Promise<void>;
}

export async function startAnchorServer(cells: number, thumbs: Buffer[]): Promise<AnchorServer> {
  const page = anchorHtml(cells, thumbs.length);
  const server = http.createServer((req, res) => {
    const m = /^\/t\/(\d+)\.webp/.exec(req.url ?? '');
    if (m && thumbs[Number(m[1])]) {
      res.writeHead(200, { 'content-type': 'image/webp', 'cache-control': 'private, no-cache' });
      res.end(thumbs[Number(m[1])]);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

function anchorHtml(cells: number, thumbs: number): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>anchor grid</title>
<style>
  html, body { margin: 0; font-family: sans-serif; }
  #rows { position: relative; }
  .row { position: absolute; left: 0; right: 0; display: flex; gap: 4px; }
  .row a { flex: 1; display: block; }
  .row img { width: 100%; height: 100%; object-fit: cover; display: block; }
</style></head>
<body><main aria-label="Library"><div id="rows"></div></main>
<script>
  const CELLS = ${cells}, THUMBS = ${thumbs}, CELL = 200, GAP = 4;
  const rows = document.getElementById('rows');
  let cols = 1, rowH = CELL;
  const shown = new Map();
  function layout() {
    cols = Math.max(1, Math.floor(innerWidth / CELL));
    rowH = Math.floor(innerWidth / cols);
    rows.style.height = Math.ceil(CELLS / cols) * rowH + 'px';
    for (const el of shown.values()) el.remove();
    shown.clear();
    render();
  }
  function render() {
    const first = Math.max(0, Math.floor(scrollY / rowH) - 2);
    const last = Math.min(Math.ceil(CELLS / cols) - 1, Math.floor((scrollY + innerHeight) / rowH) + 2);
    for (const [i, el] of shown) if (i < first || i > last) { el.remove(); shown.delete(i); }
    for (let r = first; r <= last; r++) {
      if (shown.has(r)) continue;
      const row = document.createElement('div');
      row.className = 'row';
      row.style.top = r * rowH + 'px';
      row.style.height = rowH - GAP + 'px';
      for (let c = 0; c < cols && r * cols + c < CELLS; c++) {
        const i = r * cols + c;
        const a = document.createElement('a');
        a.href = '#/content/' + i;
        const img = document.createElement('img');
        img.alt = 'IMG_' + i + '.JPG';
        img.loading = 'lazy';
        img.src = '/t/' + (i % THUMBS) + '.webp?i=' + i;
        a.appendChild(img);
        row.appendChild(a);
      }
      rows.appendChild(row);
      shown.set(r, row);
    }
  }
  addEventListener('scroll', render, { passive: true });
  addEventListener('resize', layout);
  layout();
</script></body></html>
`;
}
