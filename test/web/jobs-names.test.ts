import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from '../../src/wire/common.js';
import type { NamedJobRow } from '../../src/wire/jobs.js';
import { importWebModule } from './web-module.js';

interface JobsNamesModule { namesFound(asked: readonly number[], page: Page<NamedJobRow>): Map<number, string | null> }

const m = await importWebModule<JobsNamesModule>('jobs-view-names.ts');
const job = (id: number, name: string | null) => ({ id, name }) as unknown as NamedJobRow;

describe('names of live jobs (web/src/jobs-view-names.ts)', () => {
  it('names null only the jobs asked for that the read covered: a job newer than the read is asked for again', () => {
    // Asked for 5, 6, 9; the daemon's last page holds 5 and 9 (6 was pruned). Job 12 came live after the request was sent.
    const names = m.namesFound([5, 6, 9], { items: [job(5, 'a.jpg'), job(9, 'b.jpg')], next: null });
    assert.deepEqual([...names].sort(([a], [b]) => a - b), [[5, 'a.jpg'], [6, null], [9, 'b.jpg']]);
    assert.equal(names.has(12), false, 'a job not asked for is not named null');
  });

  it('covers up to the last job of a page that is not the last', () => {
    const names = m.namesFound([5, 6, 700], { items: [job(5, 'a.jpg'), job(600, 'c.jpg')], next: '600' });
    assert.equal(names.get(6), null, 'covered, not held: pruned');
    assert.equal(names.has(700), false, 'beyond the page: asked for next time');
  });
});
