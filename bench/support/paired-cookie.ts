import https from 'node:https';

/**
 * Open a pairing address (`vss ui pair`'s, on the daemon's home-network HTTPS, its certificate
 * the device's own) as a phone's browser would: the session cookie it sets (`name=value`).
 */
export function pairedCookie(pairUrl: string): Promise<string> {
  return new Promise((res, rej) => {
    https.get(pairUrl, { rejectUnauthorized: false }, (r) => {
      r.resume();
      const set = r.headers['set-cookie']?.[0];
      if (r.statusCode === 303 && set) res(set.split(';')[0]!);
      else rej(new Error(`pairing: ${r.statusCode}`));
    }).on('error', rej);
  });
}
