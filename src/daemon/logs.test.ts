import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tempDir } from '../../test/helpers.js';
import { followLog, formatLogLine, tailLog } from './logs.js';

describe('daemon log: tail, follow, and lines for people', () => {
  it('tails the last N lines, and nothing of a missing log', () => {
    const tmp = tempDir();
    try {
      const file = join(tmp.path, 'daemon.log');
      assert.deepEqual(tailLog(file, 5), { lines: [], size: 0 });
      writeFileSync(file, 'a\nb\nc\n');
      assert.deepEqual(tailLog(file, 2).lines, ['b', 'c']);
      assert.deepEqual(tailLog(file, 10).lines, ['a', 'b', 'c']);
      assert.deepEqual(tailLog(file, 0).lines, []);
      assert.equal(tailLog(file, 1).size, 6);
    } finally {
      tmp.cleanup();
    }
  });

  it('follows appended lines, whole lines only, and starts over when the log is replaced by a shorter one', async () => {
    const tmp = tempDir();
    try {
      const file = join(tmp.path, 'daemon.log');
      writeFileSync(file, 'old\n');
      const seen: string[] = [];
      const stop = new AbortController();
      const following = followLog(file, 4, (l) => seen.push(l), stop.signal);
      appendFileSync(file, 'one\ntw');
      const waitFor = async (n: number) => {
        for (let i = 0; i < 200 && seen.length < n; i++) await sleep(20);
      };
      await waitFor(1);
      appendFileSync(file, 'o\n');
      await waitFor(2);
      writeFileSync(file, 'new\n');
      await waitFor(3);
      stop.abort();
      await following;
      assert.deepEqual(seen, ['one', 'two', 'new']);
    } finally {
      tmp.cleanup();
    }
  });

  it('prints a pino line as time, level, module, message and fields; other lines as they are, escaped when unsafe', () => {
    const line = JSON.stringify({ level: 30, time: Date.UTC(2026, 0, 2, 3, 4, 5), app: 'vss', module: 'daemon', pid: 7, msg: 'daemon started', http: 'http://127.0.0.1:1' });
    assert.equal(formatLogLine(line), '2026-01-02T03:04:05.000Z INFO [daemon] daemon started  pid=7 http=http://127.0.0.1:1');
    assert.equal(formatLogLine('plain output'), 'plain output');
    assert.equal(formatLogLine(JSON.stringify({ level: 50, msg: 'bad\u001b[2Jname' })), ' ERROR "bad\\u001b[2Jname"');
    assert.equal(formatLogLine('raw \u001b[31m'), '"raw \\u001b[31m"');
  });
});
