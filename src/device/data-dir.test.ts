import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { appDataDir, instanceDataDir, instanceNameProblem, instanceOf, resolveDataDir } from './data-dir.js';

describe('data dir: --data-dir, --instance and their environment variables', () => {
  const saved = { XDG_DATA_HOME: process.env.XDG_DATA_HOME, VSS_DATA_DIR: process.env.VSS_DATA_DIR, VSS_INSTANCE: process.env.VSS_INSTANCE };
  beforeEach(() => {
    process.env.XDG_DATA_HOME = '/tmp/vss-xdg-test';
    delete process.env.VSS_DATA_DIR;
    delete process.env.VSS_INSTANCE;
  });
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('puts an instance at <app-data>/instances/NAME and knows it back from the path', () => {
    assert.equal(appDataDir(), '/tmp/vss-xdg-test/vss');
    assert.equal(instanceDataDir('alice'), '/tmp/vss-xdg-test/vss/instances/alice');
    assert.equal(instanceOf('/tmp/vss-xdg-test/vss/instances/alice'), 'alice');
    assert.equal(instanceOf('/tmp/vss-xdg-test/vss/instances/alice/'), 'alice');
    assert.equal(instanceOf('/tmp/vss-xdg-test/vss'), null);
    assert.equal(instanceOf('/elsewhere/instances/alice'), null);
  });

  it('takes names of 1-64 letters, digits, dot, underscore and dash, but not . or ..', () => {
    for (const ok of ['a', 'Alice_2', 'dev.test-1', '...', 'x'.repeat(64)]) assert.equal(instanceNameProblem(ok), null, ok);
    for (const bad of ['', '.', '..', 'a/b', 'a b', 'é', 'x'.repeat(65), 'a\nb']) {
      assert.ok(instanceNameProblem(bad), JSON.stringify(bad));
      assert.throws(() => instanceDataDir(bad), UsageError);
    }
  });

  it('prefers a flag to the environment, and refuses two names for the data dir at the same level', () => {
    assert.equal(resolveDataDir(), '/tmp/vss-xdg-test/vss');
    assert.equal(resolveDataDir(undefined, 'bob'), join(appDataDir(), 'instances', 'bob'));
    assert.throws(() => resolveDataDir('/d', 'bob'), /--data-dir and --instance/);
    process.env.VSS_INSTANCE = 'carol';
    assert.equal(resolveDataDir(), join(appDataDir(), 'instances', 'carol'));
    assert.equal(resolveDataDir('/d'), '/d');
    assert.equal(resolveDataDir(undefined, 'bob'), join(appDataDir(), 'instances', 'bob'));
    process.env.VSS_DATA_DIR = '/e';
    assert.throws(() => resolveDataDir(), /VSS_DATA_DIR and VSS_INSTANCE/);
    delete process.env.VSS_INSTANCE;
    assert.equal(resolveDataDir(), '/e');
    assert.equal(resolveDataDir(undefined, 'bob'), join(appDataDir(), 'instances', 'bob'));
  });
});
