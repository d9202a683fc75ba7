import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tempDir } from '../../test/helpers.js';

/** A first run: waits for the common start, then loads or makes the identity and prints its uuid. */
const FIRST_RUN = `
  const [url, dataDir, startAt] = process.argv.slice(1);
  const { loadOrCreateDevice } = await import(url);
  while (Date.now() < Number(startAt)) await new Promise((r) => setTimeout(r, 1));
  console.log(loadOrCreateDevice(dataDir).uuid);
`;

function firstRun(dataDir: string, startAt: number): Promise<string> {
  const url = pathToFileURL(join(import.meta.dirname, 'identity.js')).href;
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', FIRST_RUN, url, dataDir, String(startAt)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', rej);
    child.on('close', () => { clearTimeout(timer); res(out.trim()); });
  });
}

describe('device identity', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('several first runs at once on a fresh data dir end with one identity, whose key matches', async () => {
    for (let round = 0; round < 3; round++) {
      const dataDir = join(tmp.path, `data-${round}`);
      const startAt = Date.now() + 1000;
      const uuids = await Promise.all(Array.from({ length: 6 }, () => firstRun(dataDir, startAt)));
      const stored = JSON.parse(readFileSync(join(dataDir, 'device.json'), 'utf8')) as { uuid: string; publicKey: string };
      assert.deepEqual(uuids, uuids.map(() => stored.uuid), `every first run uses the stored identity (round ${round})`);
      const fromKey = createPublicKey(createPrivateKey(readFileSync(join(dataDir, 'device.key'), 'utf8'))).export({ type: 'spki', format: 'pem' }).toString();
      assert.equal(fromKey, stored.publicKey, 'the private key belongs to the recorded public key');
    }
  });
});
