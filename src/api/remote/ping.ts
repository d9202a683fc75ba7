import http from 'node:http';

/**
 * Whether the daemon answers GET /api/health on its Unix socket with this token within
 * TIMEOUT_MS. A socket nobody listens on fails at once (ECONNREFUSED), not after the timeout.
 */
export function pingDaemon(socket: string, token: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.request({ socketPath: socket, path: '/api/health', method: 'GET', headers: { authorization: `Bearer ${token}`, host: 'localhost' }, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
