import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** A real S3 server on loopback (s3rver in a child process) and what a client needs to reach it. */
export interface S3Server {
  endpoint: string;
  port: number;
  /** The environment a vss process reaches it with (s3rver's own test keys; the standard chain reads them). */
  env: Record<string, string>;
  /** Stop it (by its pid; bounded). */
  stop(): Promise<void>;
}

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 's3rver-child.js');

/** Whether this build has s3rver (a devDependency): tests that need a bucket skip without it. */
export async function s3SkipReason(): Promise<string | false> {
  try {
    await import('s3rver');
    return false;
  } catch {
    return 's3rver is not installed (npm ci installs it): the bucket tests need a real S3 server on loopback';
  }
}

/**
 * Start s3rver on 127.0.0.1 with DIR as its store and BUCKETS made, on PORT (0: any free one; a
 * server started again on the port it had is the same endpoint, as a bucket back from an outage).
 */
export async function startS3(dir: string, buckets: readonly string[], port = 0): Promise<S3Server> {
  mkdirSync(dir, { recursive: true });
  // s3rver makes a truncated listing's continuation token with DES, which Node's OpenSSL 3 keeps in its legacy provider only.
  const child = spawn(process.execPath, ['--openssl-legacy-provider', CHILD, dir, ...buckets], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...(port ? { S3RVER_PORT: String(port) } : {}) } });
  const first = await Promise.race([
    createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next(),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('s3rver did not start within 20 s')), 20_000).unref()),
  ]).catch((err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });
  if (first.done) throw new Error('s3rver exited before it listened');
  const got = (JSON.parse(String(first.value)) as { port: number }).port;
  const endpoint = `http://127.0.0.1:${got}`;
  return {
    endpoint, port: got,
    env: { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' },
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin?.end();
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000).unref())]);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** Put S3's environment (its test keys and region) in this process's, for a test calling the SDK itself; the returned call puts back what was there. */
export function useS3Env(s3: S3Server): () => void {
  const saved = Object.entries(s3.env).map(([k, v]) => {
    const had = process.env[k];
    process.env[k] = v;
    return [k, had] as const;
  });
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
