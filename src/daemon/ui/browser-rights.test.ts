import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { OPERATIONS, type OperationName } from '../../api/remote/protocol.js';
import { fileRoute } from '../routes/file-route.js';
import { BROWSER_OPERATIONS, browserMayOperate } from '../../api/remote/browser-operations.js';
import { browserMayCall, UPLOAD_ROUTES } from './browser-rights.js';

const route = (name: OperationName) => (name === 'sidecarFile' || name === 'originalFile' ? fileRoute(OPERATIONS[name].path) : OPERATIONS[name].path);
const GRANTED: Record<string, readonly OperationName[]> = BROWSER_OPERATIONS;
const ALWAYS = new Set<OperationName>(['uiMe', 'librariesCurrent']);

describe('what a paired browser may call (browser-rights.ts)', () => {
  it('is exactly the operations its rights name: nothing of this machine\'s own (pairing, devices, settings, jobs) for any rights', () => {
    fc.assert(fc.property(fc.record({ view: fc.boolean(), upload: fc.boolean(), organise: fc.boolean(), files: fc.boolean() }), (may) => {
      for (const name of Object.keys(OPERATIONS) as OperationName[]) {
        const granted = ALWAYS.has(name) || Object.entries(GRANTED).some(([right, ops]) => may[right as keyof typeof may] && ops.includes(name));
        assert.equal(browserMayCall(may, OPERATIONS[name].method, route(name)), granted, `${name} with ${JSON.stringify(may)}`);
        // The web app's reading of the same table (it shows a control only where its call would pass).
        assert.equal(browserMayOperate(may, name), granted, `the web app's ${name} with ${JSON.stringify(may)}`);
      }
      for (const r of UPLOAD_ROUTES) for (const m of ['POST', 'PATCH', 'HEAD', 'DELETE']) assert.equal(browserMayCall(may, m, r), may.upload, `${m} ${r}`);
      // The tus GET serves a finished upload's bytes back: never to a browser.
      for (const r of UPLOAD_ROUTES) assert.equal(browserMayCall(may, 'GET', r), false);
    }));
  });

  it('refuses a route it does not know, and a method its route is not', () => {
    const all = { view: true, upload: true, organise: true, files: true };
    assert.equal(browserMayCall(all, 'GET', undefined), false);
    assert.equal(browserMayCall(all, 'DELETE', OPERATIONS.gridPage.path), false);
    assert.equal(browserMayCall(all, 'POST', OPERATIONS.uiPair.path), false, 'a browser never makes pairing addresses');
    assert.equal(browserMayCall(all, 'POST', OPERATIONS.devicesRevoke.path), false, 'nor revokes devices');
  });
});
