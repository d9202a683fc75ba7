import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultGateway4 } from './nat-pmp.js';

test('the default gateway is read from Linux\'s routing table', () => {
  const table = [
    'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
    'lan\t0001EE0A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
    'lan\t00000000\t0101EE0A\t0003\t0\t0\t0\t00000000\t0\t0\t0',
  ].join('\n');
  assert.equal(defaultGateway4(table), '10.238.1.1');
  assert.equal(defaultGateway4(table.split('\n').slice(0, 2).join('\n')), undefined, 'no default route');
  assert.equal(defaultGateway4('Iface\tDestination\tGateway\tFlags\nlan\t00000000\t00000000\t0001'), undefined, 'a default route with no gateway (a point-to-point link)');
});
