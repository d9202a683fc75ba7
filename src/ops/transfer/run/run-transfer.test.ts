import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { join } from 'node:path';
import { Installation } from '../../../library/installation.js';
import type { Library } from '../../../library/library.js';
import { queueUserJob } from '../../../jobs/user-job.js';
import type { JobRunContext } from '../../../jobs/job-kind.js';
import type { FileOpItemRecord } from '../../../store/file-op-items.js';
import { tempDir } from '../../../../test/helpers.js';
import { runTransfer } from './run-transfer.js';
import type { Batch, PutContext, TransferTarget } from './target.js';

/**
 * The one item loop over a target that only says what became of each item (a real library's rows;
 * the target a test's, as any storage's would be): whatever the target answers — items confirmed
 * in any order and more than once, some left out, batches a few at once, a run resumed after
 * items ended — every row ends once, as the target first said, and the progress never shows more
 * than the bytes ended plus those the target says are moving, nor more than the whole, and ends at
 * the whole.
 */
describe('runTransfer', () => {
  const tmp = tempDir('vss-run-transfer-');
  after(() => tmp.cleanup());
  let n = 0;

  const caseArb = fc.record({
    sizes: fc.array(fc.nat(5000), { minLength: 1, maxLength: 30 }),
    endedBefore: fc.array(fc.boolean(), { maxLength: 30 }),
    fates: fc.array(fc.constantFrom('done', 'skipped', 'left out', 'twice'), { maxLength: 30 }),
    batch: fc.integer({ min: 1, max: 7 }),
    inFlight: fc.integer({ min: 1, max: 3 }),
  });

  it('a move whose source is not found at its removal while a drive of the job is away waits, the item not ended (its source is on the drive)', async () => {
    const lib: Library = new Installation({ dataDir: join(tmp.path, `data-away-${n++}`) }).createLibrary('Away', tmp.path);
    try {
      const job = queueUserJob(lib, { kind: 'test-transfer', maxAttempts: 1, bytes: 10, params: '{}', items: [{ kind: 'file', src: '/unplugged/drive/a.jpg', dst: '/there/a.jpg', size: 10 }] }, 'the test');
      let away = false;
      const target: TransferTarget = {
        inFlight: 1, landsHere: false,
        batches: (todo) => [{ items: [...todo] }],
        async put(b: Batch, ctx: PutContext) {
          // Copied and proved; the drive leaves before the source is looked at again.
          away = true;
          await ctx.confirm(b.items.map((it) => ({ it, landed: { final: '/there/a.jpg' } })));
          return undefined;
        },
        indexable: () => !away,
        explain: () => (away ? { state: 'wait', reason: 'waiting for the drive (offline)', delayMs: 1000 } : undefined),
      };
      const ctx: JobRunContext = { lib, signal: new AbortController().signal, timeoutMs: 60_000, settings: {} as JobRunContext['settings'], progress: () => undefined };
      const out = await runTransfer(lib, job, target, ctx, { op: 'move', onConflict: 'keep-both', said: (rows) => ({ note: '', result: rows.length }) });
      assert.equal(out.state, 'wait');
      assert.deepEqual(lib.store.fileOpItems.of(job.id).map((r) => r.state), ['todo'], 'not ended as moved: its source was never removed');
    } finally {
      lib.close();
    }
  });

  it('ends every row once as its target said, and never shows more progress than was made', async () => {
    await fc.assert(fc.asyncProperty(caseArb, async ({ sizes, endedBefore, fates, batch, inFlight }) => {
      const lib: Library = new Installation({ dataDir: join(tmp.path, `data-${n}`) }).createLibrary(`R${n}`, tmp.path);
      n++;
      try {
        const job = queueUserJob(lib, { kind: 'test-transfer', maxAttempts: 1, bytes: sizes.reduce((a, b) => a + b, 0), params: '{}', items: sizes.map((size, i) => ({ kind: 'file', src: `/nowhere/${i}`, dst: `/there/${i}`, size })) }, 'the test');
        const before = new Set(sizes.flatMap((_, i) => (endedBefore[i] ? [i] : [])));
        lib.store.fileOpItems.finishMany(job.id, [...before].map((idx) => ({ idx, state: 'done' as const, final: `/earlier/${idx}`, blake3: null, note: null })));
        const total = sizes.reduce((a, b) => a + b, 0);
        let endedBytes = [...before].reduce((a, i) => a + sizes[i]!, 0);
        let moving = 0;
        const shown: number[] = [];
        const target: TransferTarget = {
          inFlight, landsHere: false,
          batches: (todo) => {
            const out: Batch[] = [];
            for (let i = 0; i < todo.length; i += batch) out.push({ items: todo.slice(i, i + batch) });
            return out;
          },
          async put(b: Batch, ctx: PutContext) {
            for (const it of b.items) {
              const fate = fates[it.idx] ?? 'done';
              moving += it.size;
              ctx.moved(it.size);
              await new Promise((r) => setImmediate(r));
              moving -= it.size;
              endedBytes += it.size;
              if (fate === 'left out') ctx.leaveOut(it, 'left out by the test');
              else await ctx.confirm([{ it, landed: fate === 'skipped' ? { final: null, skipped: true, note: 'skipped by the test' } : { final: `/there/${it.idx}` } }]);
              // Said again (a journal answering an offer made again): ignored, the first answer stands.
              if (fate === 'twice') await ctx.confirm([{ it, landed: { final: null, skipped: true, note: 'said again' } }]);
            }
            return undefined;
          },
        };
        const ctx: JobRunContext = {
          lib, signal: new AbortController().signal, timeoutMs: 60_000, settings: {} as JobRunContext['settings'],
          progress: (done, all) => {
            assert.equal(all, total);
            assert.ok(done <= total, `progress ${done} past the whole ${total}`);
            assert.ok(done <= endedBytes + moving, `progress ${done} past what was made (${endedBytes} ended, ${moving} moving)`);
            shown.push(done);
          },
        };
        const out = await runTransfer(lib, job, target, ctx, { op: 'copy', onConflict: 'keep-both', said: (rows) => ({ note: '', result: rows.length }) });
        assert.equal(out.state, 'completed');
        assert.equal(shown.at(-1), total, 'the whole, once every item ended');
        const rows = lib.store.fileOpItems.of(job.id);
        for (const r of rows) {
          const want = before.has(r.idx) ? ['done', `/earlier/${r.idx}`] : wanted(fates[r.idx] ?? 'done', r);
          assert.deepEqual([r.state, r.final], want, `item ${r.idx} (${fates[r.idx] ?? 'done'}${before.has(r.idx) ? ', ended before' : ''})`);
        }
      } finally {
        lib.close();
      }
    }), { numRuns: 60 });
  });
});

/** How row R ends for FATE, as the target first said it. */
function wanted(fate: string, r: FileOpItemRecord): [string, string | null] {
  if (fate === 'left out') return ['skipped', null];
  if (fate === 'skipped') return ['skipped', null];
  return ['done', `/there/${r.idx}`];
}
