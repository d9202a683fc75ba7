import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { UsageError } from '../core/errors.js';
import { asTypedPlace, destinationOf, routeFileOp, type FileOpFlags, type FileOpVerb } from './file-op-request.js';
import { routeTransfer } from './transfer/strategies.js';

/** The job kind a file operation ends at and the input it is given: the route, then for a transfer the way its table picks. */
function wayOf(op: FileOpVerb, srcs: string[], to: string | undefined, flags: FileOpFlags): { name: string; input: unknown; ask?: unknown } {
  const r = routeFileOp(op, srcs, to, flags);
  if (r.name !== 'transfer') return r;
  const way = routeTransfer(r.input);
  return { name: way.kind, input: way.input, ask: r.input };
}

/** A destination of each kind, as typed. */
const DESTINATIONS = {
  here: ['/home/me/Pictures', '/home/me/Pictures/', '/mnt/a:b/c'],
  device: ['Desk:/Photos', 'Desk:/Photos/in/2026', 'a1b2c3d4:/1'],
  bucket: ['s3://vss-test/home', 's3://vss-test/home/in'],
} as const;

const flagsArb: fc.Arbitrary<FileOpFlags> = fc.record({
  onConflict: fc.constantFrom('skip', 'keep-both', 'replace', 'clobber'),
  into: fc.boolean(),
  force: fc.boolean(),
  keepRefused: fc.boolean(),
  permanent: fc.boolean(),
  keptInstead: fc.constant('5f0c7e52-0000-4000-8000-000000000001'),
  party: fc.constantFrom('local', 'browser', 'peer'),
}, { requiredKeys: [] });

/**
 * The one route of a file operation (issue 42, "every flag on every branch"): whatever the
 * destination, every flag the user gave is either carried into the operation's input, as given, or
 * refused with a usage error; none is dropped on the way. A dry run takes the same route (the
 * API previews what it routes), so it cannot miss a destination either.
 */
describe('routeFileOp', () => {
  it('carries every flag given into the input of the operation it picks, or refuses: for every operation, destination and flags', () => {
    const kinds = Object.keys(DESTINATIONS) as Array<keyof typeof DESTINATIONS>;
    fc.assert(fc.property(
      fc.constantFrom<FileOpVerb>('copy', 'move', 'delete', 'send'), fc.constantFrom(...kinds), fc.nat(2), flagsArb,
      (op, kind, pick, flags) => {
        const list = DESTINATIONS[kind];
        const to = op === 'delete' ? undefined : op === 'send' ? 'Desk' : list[pick % list.length]!;
        let r: ReturnType<typeof wayOf>;
        try {
          r = wayOf(op, ['/home/me/a.jpg'], to, flags);
        } catch (err) {
          assert.ok(err instanceof UsageError, String(err));
          return;
        }
        const input = r.input as unknown as Record<string, unknown>;
        // What the operation must hear of each flag: given, it is in the input as given.
        const heard: Record<keyof FileOpFlags, boolean> = {
          onConflict: op === 'copy' || op === 'move',
          into: (op === 'copy' || op === 'move') && kind === 'here',
          force: op !== 'send',
          keepRefused: op === 'delete',
          permanent: op === 'delete',
          keptInstead: op === 'delete',
          party: op === 'copy' || op === 'move',
        };
        for (const [flag, value] of Object.entries(flags) as Array<[keyof FileOpFlags, unknown]>) {
          // Who asks is the transfer's to weigh (where it writes, for every way): carried in what is asked of it.
          if (flag === 'party') {
            if (heard.party) assert.equal((r.ask as Record<string, unknown>).party, value, `${op} to ${kind}: party`);
            else assert.equal(value, 'local', `${op}: another party neither carried nor refused`);
            continue;
          }
          if (heard[flag]) assert.equal(input[flag], value, `${op} to ${kind}: ${flag}`);
          // A switch left off is its default, heard or not; a device's or a bucket's folder is always one to put the files in (`into`).
          else if (value !== false && !(flag === 'into' && kind !== 'here' && (op === 'copy' || op === 'move'))) assert.fail(`${op} to ${kind}: ${flag} neither carried nor refused`);
        }
      },
    ), { numRuns: 2000 });
  });

  it('routes by what the destination is: a path here, a device\'s folder, a bucket\'s', () => {
    assert.equal(wayOf('copy', ['/a'], '/b', {}).name, 'files-copy');
    assert.equal(wayOf('move', ['/a'], 'Desk:/Photos', {}).name, 'files-move-to-device');
    assert.equal(wayOf('copy', ['/a'], 's3://b/p', {}).name, 'files-copy-to-bucket');
    assert.throws(() => wayOf('move', ['/a'], 's3://b/p', {}), /a move into a bucket is not built/);
    assert.throws(() => wayOf('delete', ['Desk:/Photos/a.jpg'], undefined, {}), /is not a file of this device/);
    assert.throws(() => wayOf('copy', ['/a'], 'relative/b', {}), /must be an absolute path/);
  });

  it('an adapter hands over a path made absolute and an address as typed', () => {
    assert.equal(asTypedPlace('x/y', '/home/me'), '/home/me/x/y');
    assert.equal(asTypedPlace('./Desk:/x', '/home/me'), '/home/me/Desk:/x');
    assert.equal(asTypedPlace('Desk:/Photos', '/home/me'), 'Desk:/Photos');
    assert.equal(asTypedPlace('s3://b/p', '/home/me'), 's3://b/p');
    assert.deepEqual(destinationOf('/mnt/a:b'), { kind: 'here', path: '/mnt/a:b' });
  });
});
