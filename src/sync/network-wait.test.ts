import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NETWORK_WAIT_NOTE, waitForNetwork } from './network-wait.js';

describe('waitForNetwork: a job that needs a paired device while this process\'s network comes up', () => {
  it('waits without spending an attempt while the network settles, and asks for the devices to be dialled', () => {
    let redialled = 0;
    const out = waitForNetwork({ settling: () => true, redial: () => { redialled++; } }, 'Desk to connect');
    assert.equal(out?.state, 'wait');
    assert.ok(out?.state === 'wait' && out.reason.startsWith(NETWORK_WAIT_NOTE) && out.reason.includes('Desk to connect'));
    assert.equal(redialled, 1);
  });

  it('once settled, a device not reached is not waited for (the job spends its attempt as before)', () => {
    assert.equal(waitForNetwork({ settling: () => false, redial: () => undefined }, 'Desk'), undefined);
    assert.equal(waitForNetwork({}, 'Desk'), undefined, 'a network that cannot say waits for nothing');
  });

  it('no network yet, moments after the process started: waits; a minute on, none is coming', () => {
    assert.equal(waitForNetwork(undefined, 'Desk', 2_000)?.state, 'wait');
    assert.equal(waitForNetwork(undefined, 'Desk', 120_000), undefined);
  });
});
