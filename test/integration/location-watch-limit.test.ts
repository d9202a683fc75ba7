import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, tempDir } from '../helpers.js';

/**
 * The OS watch limit, for real, without touching the machine's: the child runs in a new user
 * namespace (`unshare --user --map-root-user`), where `/proc/sys/user/max_inotify_watches`
 * limits only that namespace (Linux ≥ 4.9 counts inotify watches per user namespace). The
 * machine-wide `/proc/sys/fs/inotify/*` is never written: the script refuses to write anything
 * unless it runs in a namespace other than ours.
 */
const FOLDERS = 8;
const LIMIT = 4; // the location folder and 3 of its 8 folders get a watch; 5 do not

function namespaceSkip(): string | false {
  if (process.platform !== 'linux') return 'user namespaces are Linux only';
  const probe = spawnSync('unshare', ['--user', '--map-root-user', 'sh', '-c', 'test -w /proc/sys/user/max_inotify_watches'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return `cannot make a user namespace with its own inotify limit here (${probe.error?.message ?? probe.stderr.trim()})`;
  return false;
}

describe('location watching at the OS watch limit', { skip: namespaceSkip() }, () => {
  it('says so once, polls what it could not watch, and still indexes every change', () => {
    const tmp = tempDir('vss-watch-limit-');
    try {
      const ours = readlinkSync('/proc/self/ns/user');
      const child = join(REPO, 'dist', 'test', 'support', 'watch-limit-child.js');
      const script = `[ "$(readlink /proc/self/ns/user)" != "$OUR_NS" ] || { echo 'not in a new user namespace: refusing to change a limit' >&2; exit 3; }
echo ${LIMIT} > /proc/sys/user/max_inotify_watches && exec "$NODE" "$CHILD" "$ROOT" ${FOLDERS} 1000`;
      const r = spawnSync('unshare', ['--user', '--map-root-user', 'sh', '-c', script], {
        encoding: 'utf8', timeout: 60_000,
        env: { ...process.env, OUR_NS: ours, NODE: process.execPath, CHILD: child, ROOT: tmp.path, VSS_LOG_LEVEL: 'silent' },
      });
      assert.equal(r.status, 0, `child failed: ${r.stderr}`);
      const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
        said: Array<{ state: string; reason?: string }>; statusAfterStart: Array<{ state: string; reason?: string }>; took: Record<string, number>;
      };
      // Watching from the start (only the location folder was known); then the limit, said once though several folders failed.
      assert.deepEqual(out.said.map((s) => s.state), ['watching', 'polling']);
      assert.match(out.said[1]!.reason!, /OS limit on watched folders was reached \(ENOSPC; on Linux the limit is fs\.inotify\.max_user_watches\): 5 folder\(s\) are rescanned every 1 s/);
      assert.equal(out.statusAfterStart[0]!.state, 'polling');
      // Every folder's new file is indexed: the watched ones by their watch, the others by the periodic rescan.
      assert.equal(Object.keys(out.took).length, FOLDERS, `indexed: ${JSON.stringify(out.took)}`);
      for (const ms of Object.values(out.took)) assert.ok(ms < 15_000, `took ${ms} ms`);
    } finally {
      tmp.cleanup();
    }
  });
});
