/**
 * `node dist/bench/static-file-server.js ROOT`: the daemon benchmark's anchor for files over
 * HTTP — a plain Node server of the files under ROOT, the URL's path being the file's path
 * (stat for content-length, then fs.createReadStream). Run as its own process, as the daemon is,
 * so each server has a process of its own and the client runs alone in the benchmark's.
 * Prints its port on stdout; stops on SIGTERM.
 */
import { createReadStream, stat } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve, sep } from 'node:path';

const root = resolve(process.argv[2] ?? '.');
const server = http.createServer({ keepAliveTimeout: 5000 }, (req, res) => {
  const path = join(root, decodeURIComponent((req.url ?? '/').split('?')[0]!));
  if (!path.startsWith(root + sep)) {
    res.writeHead(400).end();
    return;
  }
  stat(path, (err, st) => {
    if (err || !st.isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'image/webp', 'content-length': st.size });
    createReadStream(path).on('error', () => res.destroy()).pipe(res);
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
});
