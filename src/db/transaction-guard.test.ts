import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { openDatabase } from './connection.js';
import { guardTransactions } from './transaction-guard.js';
import { tempDir } from '../../test/helpers.js';

/** A guarded connection whose reports are kept, and a second connection that sees only what is committed. */
function guarded(path: string): { db: Database.Database; other: Database.Database; reports: string[] } {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE IF NOT EXISTS t (v TEXT)');
  const reports: string[] = [];
  guardTransactions(db, (begun) => reports.push(begun));
  return { db, other: new Database(path, { readonly: true }), reports };
}

const committed = (other: Database.Database): string[] => (other.prepare('SELECT v FROM t ORDER BY rowid').all() as Array<{ v: string }>).map((r) => r.v);
const turn = () => new Promise((r) => setImmediate(r));

describe('no transaction stays open while the event loop turns', () => {
  const tmp = tempDir('vss-tx-guard-');
  after(() => tmp.cleanup());

  it('a transaction held across an await is committed when the run that began it ends, and reported with where it began', async () => {
    const { db, other, reports } = guarded(join(tmp.path, 'held.db'));
    async function heldAcrossAwait(): Promise<void> {
      db.exec('BEGIN');
      db.prepare("INSERT INTO t VALUES ('scan')").run();
      await Promise.resolve();
      // By now the guard has run: a write made here is not inside the scan's transaction.
      assert.equal(db.inTransaction, false, 'the transaction did not outlive the run that began it');
      db.prepare("INSERT INTO t VALUES ('answered')").run();
    }
    await heldAcrossAwait();
    assert.equal(reports.length, 1);
    assert.match(reports[0]!, /heldAcrossAwait/, 'the report names where the transaction began');
    assert.deepEqual(committed(other), ['scan', 'answered']);
    db.close();
    other.close();
  });

  it('catches a transaction opened by a prepared BEGIN or a SAVEPOINT outside one, too', async () => {
    const { db, other, reports } = guarded(join(tmp.path, 'prepared.db'));
    db.prepare('BEGIN IMMEDIATE').run();
    db.prepare("INSERT INTO t VALUES ('a')").run();
    await turn();
    db.exec('SAVEPOINT s');
    db.prepare("INSERT INTO t VALUES ('b')").run();
    await turn();
    assert.equal(reports.length, 2);
    assert.deepEqual(committed(other), ['a', 'b']);
    db.close();
    other.close();
  });

  it('a synchronous transaction is not reported: BEGIN…COMMIT in one run, better-sqlite3\'s, a savepoint inside', async () => {
    const { db, other, reports } = guarded(join(tmp.path, 'sync.db'));
    db.exec('BEGIN');
    db.prepare("INSERT INTO t VALUES ('one')").run();
    db.exec('COMMIT');
    db.transaction(() => {
      db.prepare("INSERT INTO t VALUES ('two')").run();
      db.transaction(() => db.prepare("INSERT INTO t VALUES ('three')").run())();
    })();
    db.exec('BEGIN');
    db.exec('ROLLBACK');
    await turn();
    await turn();
    assert.deepEqual(reports, []);
    assert.deepEqual(committed(other), ['one', 'two', 'three']);
    db.close();
    other.close();
  });

  it('better-sqlite3 refuses a transaction function that returns a promise, and undoes its synchronous part', () => {
    const { db, other, reports } = guarded(join(tmp.path, 'async.db'));
    const asyncFn = async () => {
      db.prepare("INSERT INTO t VALUES ('before the await')").run();
      await new Promise(() => undefined);
    };
    assert.throws(() => (db.transaction(asyncFn) as () => unknown)(), /cannot return a promise/);
    assert.equal(db.inTransaction, false);
    assert.deepEqual(committed(other), []);
    assert.deepEqual(reports, []);
    db.close();
    other.close();
  });

  it('openDatabase guards every library connection: strict (VSS_STRICT_TX=1) stops the process, else it logs and commits', () => {
    const url = pathToFileURL(join(import.meta.dirname, 'connection.js')).href;
    const script = (file: string) => `
      const { openDatabase } = await import(${JSON.stringify(url)});
      const db = openDatabase(${JSON.stringify(file)});
      db.exec('CREATE TABLE t (v TEXT)');
      db.exec('BEGIN');
      db.prepare("INSERT INTO t VALUES ('x')").run();
      await new Promise((r) => setTimeout(r, 10));
      console.log('went on');`;
    const run = (file: string, strict: boolean) => spawnSync(process.execPath, ['--input-type=module', '-e', script(join(tmp.path, file))], {
      env: { ...process.env, VSS_STRICT_TX: strict ? '1' : '0', VSS_LOG_LEVEL: 'error' }, encoding: 'utf8',
    });
    const strict = run('strict.db', true);
    assert.notEqual(strict.status, 0);
    assert.match(strict.stderr, /TransactionLeftOpen: a database transaction was left open across an await/);
    assert.doesNotMatch(strict.stdout, /went on/);
    const lax = run('lax.db', false);
    assert.equal(lax.status, 0, lax.stderr);
    assert.match(lax.stdout, /went on/);
    assert.match(lax.stderr, /left open across an await; committed it/);
    for (const f of ['strict.db', 'lax.db']) {
      const db = openDatabase(join(tmp.path, f));
      assert.deepEqual(committed(db), ['x'], `${f}: what the transaction wrote is committed`);
      db.close();
    }
  });
});
