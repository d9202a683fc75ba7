import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../core/errors.js';
import { routeFileOp } from '../file-op-request.js';
import { OPERATIONS } from '../registry.js';
import { TRANSFER_STRATEGIES } from './strategies.js';

/** A destination of each kind the table has a row for, as typed. */
const TO = { here: '/home/me/Pictures', device: 'Desk:/Photos', bucket: 's3://vss-test/home' } as const;

describe('the transfer strategies (ops/transfer/strategies.ts)', () => {
  it('has one row per kind of destination, each job kind of it a registered operation', () => {
    assert.deepEqual(TRANSFER_STRATEGIES.map((s) => s.to).sort(), Object.keys(TO).sort());
    for (const s of TRANSFER_STRATEGIES) {
      for (const kind of [s.copy, s.move]) {
        if (typeof kind === 'string') assert.ok(kind in OPERATIONS, `${kind} is registered`);
      }
    }
  });

  it('is the way a copy or move is routed, and refuses what it has no way for, with its reason', () => {
    for (const s of TRANSFER_STRATEGIES) {
      for (const verb of ['copy', 'move'] as const) {
        const kind = verb === 'copy' ? s.copy : s.move;
        if (typeof kind === 'string') assert.equal(routeFileOp(verb, ['/home/me/a.jpg'], TO[s.to], {}).name, kind);
        else assert.throws(() => routeFileOp(verb, ['/home/me/a.jpg'], TO[s.to], {}), (err: unknown) => err instanceof UsageError && err.message === kind.refused);
      }
    }
  });
});
