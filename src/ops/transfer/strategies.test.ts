import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../core/errors.js';
import { routeFileOp } from '../file-op-request.js';
import { loadWay, routeTransfer, TRANSFER_WAYS, WAY_KINDS } from './strategies.js';

/** A destination of each kind a copy or move can be given, as typed. */
const TO = { here: '/home/me/Pictures', device: 'Desk:/Photos', bucket: 's3://vss-test/home' } as const;

describe('the ways of the transfer (ops/transfer/strategies.ts)', () => {
  it('has one row per verb and kind of destination of a copy or move, and each job kind it names is a way with a module that runs that kind', async () => {
    const routed = TRANSFER_WAYS.filter((w) => w.asked === 'copy' || w.asked === 'move').map((w) => `${w.asked} ${w.to}`).sort();
    assert.deepEqual(routed, Object.keys(TO).flatMap((k) => [`copy ${k}`, `move ${k}`]).sort());
    const named = TRANSFER_WAYS.map((w) => w.kind).filter((k): k is Extract<typeof k, string> => typeof k === 'string');
    assert.deepEqual([...named].sort(), [...WAY_KINDS].sort(), 'one module per way, each of a row');
    for (const kind of named) assert.equal((await loadWay(kind))?.name, kind, `${kind}'s module runs the job kind ${kind}`);
  });

  it('is the way a copy or move is routed (the file operation asks the transfer, which picks the row), and refuses what it has no way for, with its reason', () => {
    for (const w of TRANSFER_WAYS) {
      if (w.asked !== 'copy' && w.asked !== 'move') continue;
      const to = TO[w.to as keyof typeof TO];
      const r = routeFileOp(w.asked, ['/home/me/a.jpg'], to, {});
      assert.equal(r.name, 'transfer');
      if (r.name !== 'transfer') continue;
      if (typeof w.kind === 'string') assert.equal(routeTransfer(r.input).kind, w.kind);
      else {
        const reason = w.kind.refused;
        assert.throws(() => routeTransfer(r.input), (err: unknown) => err instanceof UsageError && err.message === reason);
      }
    }
  });

  it('takes get, send, protect, repair and a library\'s snapshot to a device by their rows', () => {
    const of = (asked: string) => TRANSFER_WAYS.find((w) => w.asked === asked)!.kind;
    assert.equal(routeTransfer({ asked: 'get', ref: 'c', dir: '/d' }).kind, of('get'));
    assert.equal(routeTransfer({ asked: 'send', refs: ['/a'], to: 'Desk' }).kind, of('send'));
    assert.equal(routeTransfer({ asked: 'protect' }).kind, of('protect'));
    assert.deepEqual(routeTransfer({ asked: 'protect', to: 'Desk:/Backup' }), { kind: of('protect'), input: { to: 'Desk:/Backup' } });
    assert.equal(routeTransfer({ asked: 'repair', contents: [] }).kind, of('repair'));
    assert.deepEqual(routeTransfer({ asked: 'backup', to: 'Desk:/Photos' }), { kind: of('backup'), input: { to: 'Desk:/Photos' } });
    assert.deepEqual(routeTransfer({ asked: 'backup', to: 'Desk:/Photos', scheduled: true }).input, { to: 'Desk:/Photos', scheduled: true });
  });
});
