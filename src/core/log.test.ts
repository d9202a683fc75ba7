import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/helpers.js';
import { childLog, log, logToFile } from './log.js';

describe('log: silent for the CLI, one file at info for the daemon', () => {
  it('sends the root logger and module loggers made before the switch to the file, at info', () => {
    const tmp = tempDir();
    try {
      const early = childLog('early-module');
      const before = log.level;
      early.info('not written: the CLI is silent by default');
      const file = join(tmp.path, 'logs', 'daemon.log');
      logToFile(file, 'info');
      early.info({ n: 1 }, 'from a module logger made at import');
      early.debug('below the level');
      log.warn('from the root');
      childLog('late-module').info('from a logger made afterwards');
      const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { msg: string; module?: string; level: number });
      assert.deepEqual(lines.map((l) => [l.module, l.msg]), [
        ['early-module', 'from a module logger made at import'], [undefined, 'from the root'], ['late-module', 'from a logger made afterwards'],
      ]);
      assert.equal(before, process.env.VSS_LOG_LEVEL ?? 'silent');
      assert.equal(statSync(file).mode & 0o077, 0, 'owner-only');
    } finally {
      tmp.cleanup();
    }
  });
});

