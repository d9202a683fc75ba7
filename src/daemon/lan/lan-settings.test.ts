import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LAN_PORT, readLanSettings, writeLanSettings } from './lan-settings.js';

function dataDir(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'vss-lan-settings-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('the home-network setting', () => {
  it('is off, on the default port, HTTPS with a certificate vss makes, until changed; a change keeps the rest', () => {
    const { dir, done } = dataDir();
    try {
      assert.deepEqual(readLanSettings(dir), { on: false, port: DEFAULT_LAN_PORT, http: false, tls: null });
      writeFileSync(join(dir, 'device-settings.json'), JSON.stringify({ cpuBudget: 1 }));
      assert.deepEqual(writeLanSettings(dir, { on: true, port: 8443 }), { on: true, port: 8443, http: false, tls: null });
      assert.deepEqual(writeLanSettings(dir, { tls: { cert: '/c.pem', key: '/k.pem' } }), { on: true, port: 8443, http: false, tls: { cert: '/c.pem', key: '/k.pem' } });
      assert.deepEqual(writeLanSettings(dir, { on: false }).tls, { cert: '/c.pem', key: '/k.pem' }, 'kept while off');
      assert.equal(JSON.parse(readFileSync(join(dir, 'device-settings.json'), 'utf8')).cpuBudget, 1, 'other settings kept');
    } finally {
      done();
    }
  });

  it('refuses what cannot serve, writing nothing: plain HTTP with a certificate, a bad port, relative paths; and says what in the file is wrong', () => {
    const { dir, done } = dataDir();
    try {
      writeLanSettings(dir, { on: true, tls: { cert: '/c.pem', key: '/k.pem' } });
      assert.throws(() => writeLanSettings(dir, { http: true }), /takes no certificate/);
      assert.throws(() => writeLanSettings(dir, { port: 0 }), /port number/);
      assert.throws(() => writeLanSettings(dir, { tls: { cert: 'c.pem', key: '/k.pem' } }), /absolute/);
      assert.deepEqual(readLanSettings(dir), { on: true, port: DEFAULT_LAN_PORT, http: false, tls: { cert: '/c.pem', key: '/k.pem' } });
      for (const lan of ['yes', { on: 'yes' }, { on: true, port: 99999 }, { on: true, tls: { cert: 'rel' } }]) {
        writeFileSync(join(dir, 'device-settings.json'), JSON.stringify({ lan }));
        assert.throws(() => readLanSettings(dir), /device-settings.json: "lan"/, JSON.stringify(lan));
      }
    } finally {
      done();
    }
  });
});
