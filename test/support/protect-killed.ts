import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { killNow, until, VSS_BIN } from '../helpers.js';

/**
 * `vss guardian protect --to TARGET` in a process of its own (ENV: its data dir and bucket), killed
 * -9 once the bucket confirmed a part of an upload (the `bucket_uploads` row of the library database
 * DBFILE): the parts confirmed when it died.
 */
export async function protectKilledMidUpload(env: Record<string, string>, dbFile: string, target = 'Offsite'): Promise<number> {
  const child = spawn(process.execPath, [VSS_BIN, 'guardian', 'protect', '--to', target], { env: { ...process.env, ...env }, stdio: 'ignore' });
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const parts = () => {
      const row = db.prepare('SELECT parts FROM bucket_uploads').get() as { parts: string } | undefined;
      return row ? (JSON.parse(row.parts) as unknown[]).length : 0;
    };
    await until('a part of the upload confirmed by the bucket', 60_000, async () => (parts() >= 1 ? true : undefined), 5);
    await killNow(child.pid!, 'the protect');
    return parts();
  } finally {
    db.close();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
