import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCpuBudget, writeCpuBudget } from '../jobs/cpu-budget.js';
import { tempDir } from '../../test/helpers.js';
import { DEFAULT_SYNC_SETTINGS, onSyncSettingsChange, readSyncSettings, writeSyncSettings } from './sync-settings.js';

test('sync settings: defaults, a change kept beside the CPU budget, every field checked, back to defaults', () => {
  const tmp = tempDir();
  try {
    const dir = tmp.path;
    assert.deepEqual(readSyncSettings(dir), DEFAULT_SYNC_SETTINGS);
    assert.deepEqual(readSyncSettings(dir).prefetch.eager, ['thumb', 'phash', 'ocr', 'faces', 'transcript']);
    writeCpuBudget(dir, 1);
    const heard: string[] = [];
    const off = onSyncSettingsChange(dir, (s) => heard.push(s.prefer));
    const s = writeSyncSettings(dir, { prefer: 'generate', prefetch: { bandwidthBytesPerSec: 1_000_000, eager: ['thumb', 'ocr'], lazy: ['transcript', 'embeddings'] } });
    off();
    assert.equal(s.prefer, 'generate');
    assert.deepEqual(s.prefetch, { ...DEFAULT_SYNC_SETTINGS.prefetch, bandwidthBytesPerSec: 1_000_000, eager: ['thumb', 'ocr'], lazy: ['transcript', 'embeddings'] });
    assert.deepEqual(heard, ['generate']);
    // The CPU budget is kept, and a later budget change keeps the sync settings.
    assert.equal(readCpuBudget(dir).cores, 1);
    writeCpuBudget(dir, 'default');
    assert.equal(readSyncSettings(dir).prefer, 'generate');

    const refused: Array<[Parameters<typeof writeSyncSettings>[1], RegExp]> = [
      [{ prefer: 'fast' as never }, /sync.prefer must be one of fetch, generate, auto; got "fast"/],
      [{ prefetch: { eager: ['thumbs' as never] } }, /unknown sidecar kind "thumbs"; kinds are thumb/],
      [{ prefetch: { eager: ['proxy'], never: ['proxy'] } }, /proxy is in both eager and never/],
      [{ prefetch: { maxConcurrent: 0 } }, /maxConcurrent must be a whole number from 1 to 64; got 0/],
      [{ prefetch: { bandwidthBytesPerSec: 10 } }, /at least 1024, or null for unlimited; got 10/],
      [{ prefetch: { diskBudgetBytes: -1 } }, /diskBudgetBytes must be a whole number of bytes, 0 or more; got -1/],
      [{ prefetch: { speed: 1 } as never }, /unknown sync.prefetch setting "speed"/],
    ];
    for (const [patch, re] of refused) assert.throws(() => writeSyncSettings(dir, patch), re);
    // Nothing refused was written.
    assert.equal(readSyncSettings(dir).prefetch.bandwidthBytesPerSec, 1_000_000);
    // A kind named in one list leaves the lists the change does not name.
    const moved = writeSyncSettings(dir, { prefetch: { eager: ['thumb', 'proxy'] } });
    assert.deepEqual([moved.prefetch.eager, moved.prefetch.never.includes('proxy')], [['thumb', 'proxy'], false]);
    writeSyncSettings(dir, { prefetch: { eager: ['thumb'], never: ['proxy', 'live_photo_video', 'thumbstrip'] } });

    // A bad hand edit is an error naming the file and field, not a silent default.
    const file = join(dir, 'device-settings.json');
    const raw = JSON.parse(readFileSync(file, 'utf8')) as { sync: { prefetch: Record<string, unknown> } };
    raw.sync.prefetch.maxConcurrent = 'lots';
    writeFileSync(file, JSON.stringify(raw));
    assert.throws(() => readSyncSettings(dir), (err: Error & { path?: string }) => /device-settings.json: sync.prefetch.maxConcurrent/.test(err.message) && err.path === file);

    assert.deepEqual(writeSyncSettings(dir, 'default'), DEFAULT_SYNC_SETTINGS);
  } finally {
    tmp.cleanup();
  }
});
