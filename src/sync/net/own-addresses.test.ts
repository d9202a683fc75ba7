import { test } from 'node:test';
import assert from 'node:assert/strict';
import { watchOwnAddresses } from './own-addresses.js';

test('only an address lost counts as this device moving', () => {
  const seen: string[][] = [];
  const states = [['10.1.0.2'], ['10.1.0.2', '172.17.0.1'], ['172.17.0.1'], ['172.17.0.1'], ['10.2.0.5', '172.17.0.1']];
  let i = 0;
  const check = watchOwnAddresses((gone) => seen.push(gone), () => new Set(states[i]!));
  for (i = 1; i < states.length; i++) check();
  // An address added (a VPN, docker) is no move; the LAN address gone is; a new one after it is not.
  assert.deepEqual(seen, [['10.1.0.2']]);
});
