import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from '../db/connection.js';
import { requestStop } from '../db/stop-request.js';
import { BatchWriter, yieldToEventLoop } from './batch-writer.js';
import { tempDir } from '../../test/helpers.js';

describe('BatchWriter: long runs of writes in few commits, none held while the event loop turns', () => {
  const tmp = tempDir('vss-batch-writer-');
  after(() => tmp.cleanup());
  let n = 0;
  const open = () => {
    const path = join(tmp.path, `b${n++}.db`);
    const db = openDatabase(path);
    db.exec('CREATE TABLE t (v TEXT UNIQUE)');
    const other = new Database(path, { readonly: true });
    const seen = () => (other.prepare('SELECT v FROM t ORDER BY rowid').all() as Array<{ v: string }>).map((r) => r.v);
    const put = (v: string) => () => { db.prepare('INSERT INTO t VALUES (?)').run(v); };
    return { db, seen, put, close: () => { other.close(); db.close(); } };
  };

  it('gathers writes across awaits and makes them together when full; a write made meanwhile is committed at once', async () => {
    const { db, seen, put, close } = open();
    const writer = new BatchWriter(db, 3, 60_000);
    assert.equal(writer.add(put('a')), false);
    await yieldToEventLoop();
    assert.equal(writer.add(put('b')), false);
    // What the daemon answers meanwhile (a `meta set`) is in no transaction of the batch's.
    put('answered')();
    assert.equal(db.inTransaction, false);
    await yieldToEventLoop();
    assert.deepEqual(seen(), ['answered'], 'the gathered writes wait; the answered one is committed');
    assert.equal(writer.add(put('c')), true, 'the third write fills the batch');
    assert.deepEqual(seen(), ['answered', 'a', 'b', 'c']);
    close();
  });

  it('makes a batch once its first write has waited long enough', async () => {
    const { db, seen, put, close } = open();
    const writer = new BatchWriter(db, 1000, 20);
    writer.add(put('a'));
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(writer.add(put('b')), true);
    assert.deepEqual(seen(), ['a', 'b']);
    close();
  });

  it('a write that throws: those before it are committed, it and those after are not made, its error is thrown', () => {
    const { db, seen, put, close } = open();
    const writer = new BatchWriter(db, 100, 60_000);
    writer.add(put('a'));
    writer.add(() => { put('half')(); put('a')(); }); // the second insert breaks UNIQUE: this write is undone whole
    writer.add(put('after'));
    assert.throws(() => writer.flush(), /UNIQUE/);
    assert.deepEqual(seen(), ['a']);
    assert.equal(writer.pending, 0);
    writer.add(put('next'));
    writer.flush();
    assert.deepEqual(seen(), ['a', 'next']);
    close();
  });

  it('a write alone that throws is undone whole', () => {
    const { db, seen, put, close } = open();
    const writer = new BatchWriter(db, 100, 60_000);
    put('a')();
    writer.add(() => { put('half')(); put('a')(); });
    assert.throws(() => writer.flush(), /UNIQUE/);
    assert.deepEqual(seen(), ['a']);
    close();
  });

  it('discard forgets what was gathered', () => {
    const { db, seen, put, close } = open();
    const writer = new BatchWriter(db, 100, 60_000);
    writer.add(put('a'));
    writer.discard();
    writer.flush();
    assert.deepEqual(seen(), []);
    close();
  });

  it('steps: work whose next step reads the last one\'s writes runs in bounded synchronous transactions', async () => {
    const { db, seen, put, close } = open();
    const writer = new BatchWriter(db, 2, 60_000);
    writer.add(put('gathered'));
    let i = 0;
    const step = () => {
      if (i === 5) return undefined;
      // Each step sees the one before it.
      assert.equal((db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n, i + 1);
      put(`s${i++}`)();
      return 1;
    };
    let calls = 0;
    for (;;) {
      calls++;
      const more = writer.steps(step);
      assert.equal(db.inTransaction, false);
      if (!more) break;
      await yieldToEventLoop();
    }
    assert.equal(calls, 3, 'two steps a transaction, then the last');
    assert.deepEqual(seen(), ['gathered', 's0', 's1', 's2', 's3', 's4']);
    close();
  });

  it('a stop asked of the database makes what was gathered and ends the work', () => {
    const { db, seen, put, close } = open();
    const writer = new BatchWriter(db, 100, 60_000);
    writer.add(put('a'));
    requestStop(db);
    assert.throws(() => writer.add(put('b')), /the daemon stopped before this finished/);
    assert.deepEqual(seen(), ['a', 'b']);
    close();
  });
});
