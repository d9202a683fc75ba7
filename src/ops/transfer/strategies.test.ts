import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../core/errors.js';
import { routeFileOp } from '../file-op-request.js';
import { OPERATIONS } from '../registry.js';
import { TRANSFER_WAYS } from './strategies.js';

/** A destination of each kind a copy or move can be given, as typed. */
const TO = { here: '/home/me/Pictures', device: 'Desk:/Photos', bucket: 's3://vss-test/home' } as const;

describe('the ways of the transfer (ops/transfer/strategies.ts)', () => {
  it('has one row per verb and kind of destination of a copy or move, and each job kind it names is a registered operation', () => {
    const routed = TRANSFER_WAYS.filter((w) => w.asked === 'copy' || w.asked === 'move').map((w) => `${w.asked} ${w.to}`).sort();
    assert.deepEqual(routed, Object.keys(TO).flatMap((k) => [`copy ${k}`, `move ${k}`]).sort());
    for (const w of TRANSFER_WAYS) {
      if (typeof w.kind === 'string') assert.ok(w.kind in OPERATIONS, `${w.kind} is registered`);
    }
  });

  it('is the way a copy or move is routed, and refuses what it has no way for, with its reason', () => {
    for (const w of TRANSFER_WAYS) {
      if (w.asked !== 'copy' && w.asked !== 'move') continue;
      const to = TO[w.to as keyof typeof TO];
      if (typeof w.kind === 'string') assert.equal(routeFileOp(w.asked, ['/home/me/a.jpg'], to, {}).name, w.kind);
      else {
        const reason = w.kind.refused;
        assert.throws(() => routeFileOp(w.asked, ['/home/me/a.jpg'], to, {}), (err: unknown) => err instanceof UsageError && err.message === reason);
      }
    }
  });
});
