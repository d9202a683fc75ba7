import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bestFirst, homeUrls, hostPort, isHomeAddress, lanAddresses } from './lan-addresses.js';

describe('the home network\'s addresses', () => {
  it('are private ones only: never a public address, a link-local IPv6 one or loopback', () => {
    for (const a of ['10.0.0.5', '172.16.0.1', '172.31.255.254', '192.168.1.20', '169.254.3.4', 'fd00::2', 'fc12:3456::1']) assert.equal(isHomeAddress(a), true, a);
    for (const a of ['8.8.8.8', '172.32.0.1', '172.15.0.1', '192.0.2.2', '100.64.0.1', '127.0.0.1', '2001:db8::1', 'fe80::1', '::1', 'not an address']) assert.equal(isHomeAddress(a), false, a);
  });

  it('are the ones VSS_LAN_ADDRESSES names, when it names any (public ones too, asked for)', () => {
    assert.deepEqual(lanAddresses({ VSS_LAN_ADDRESSES: ' 127.0.0.2, 203.0.113.9,nonsense,127.0.0.2 ' }), ['127.0.0.2', '203.0.113.9']);
    assert.ok(lanAddresses({}).every(isHomeAddress));
  });

  it('put an IPv6 address in brackets in a URL\'s host', () => {
    assert.equal(hostPort('fd00::2', 7443), '[fd00::2]:7443');
    assert.equal(hostPort('10.0.0.1', 7443), '10.0.0.1:7443');
  });

  it('come best first for a phone: IPv4 before IPv6, the ranges routers hand out before the rest, link-local last', () => {
    assert.deepEqual(bestFirst(['fd00::2', '169.254.3.4', '172.17.0.1', '10.8.0.2', '192.168.1.20', '10.0.0.5']), ['192.168.1.20', '10.8.0.2', '10.0.0.5', '172.17.0.1', '169.254.3.4', 'fd00::2']);
  });

  it('as the web app\'s addresses: the machine\'s .local name after the IPv4 ones, before IPv6', () => {
    assert.deepEqual(homeUrls('https', ['fd00::2', '10.0.0.5', '192.168.1.20'], ['pc', 'pc.local'], 7443), [
      'https://192.168.1.20:7443/ui/', 'https://10.0.0.5:7443/ui/', 'https://pc.local:7443/ui/', 'https://[fd00::2]:7443/ui/',
    ]);
  });
});
