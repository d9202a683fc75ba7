/**
 * A real S3 server for tests (s3rver, a devDependency), in a process of its own:
 *   node dist/test/support/s3rver-child.js DIR BUCKET…
 * Serves on 127.0.0.1 at a free port with DIR as its store, makes the BUCKETs, prints
 * {"port": N} once listening, and stops when its stdin closes (or on SIGTERM).
 */
import S3rver from 's3rver';
import { storeWhole } from './s3rver-whole.js';

// Objects written whole before a write is answered, as a real S3 keeps them (s3rver-whole.ts).
storeWhole();

const [dir, ...buckets] = process.argv.slice(2);
if (!dir) {
  console.error('usage: s3rver-child DIR BUCKET…');
  process.exit(2);
}
const server = new S3rver({ address: '127.0.0.1', port: Number(process.env.S3RVER_PORT ?? 0), directory: dir, silent: true, configureBuckets: buckets.map((name) => ({ name, configs: [] })) });
const { port } = await server.run();
process.stdout.write(JSON.stringify({ port }) + '\n');
const stop = () => void server.close().finally(() => process.exit(0));
process.stdin.on('end', stop).resume();
process.on('SIGTERM', stop);
