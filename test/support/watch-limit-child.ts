/**
 * Run inside a user namespace whose inotify limit was lowered (see location-watch-limit.test.ts):
 * watches a location with more folders than the limit allows, writes a file into every folder,
 * and reports on stdout, as one JSON line, what the watcher said and how long each file took.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Installation } from '../../src/library/installation.js';
import { addLocation } from '../../src/locations/locations.js';
import { defaultGeneratorSettings } from '../../src/jobs/settings.js';
import { watchLocations } from '../../src/locations/watch/watch-locations.js';
import type { LocationWatchState } from '../../src/core/events.js';

const [root, foldersArg, rescanArg] = process.argv.slice(2) as [string, string, string];
const folders = Number(foldersArg);
const tree = join(root, 'tree');
for (let i = 0; i < folders; i++) mkdirSync(join(tree, `f${i}`), { recursive: true });
const lib = new Installation({ dataDir: join(root, 'data') }).createLibrary('L', root);
const loc = addLocation(lib, tree, { mode: 'shallow' }).id;
const said: LocationWatchState[] = [];
lib.events.on('location:watch', (e) => said.push(e));
const watching = await watchLocations(lib, { generation: () => defaultGeneratorSettings(lib), debounceMs: 200, rescanEveryMs: Number(rescanArg) });
await watching.idle();
const statusAfterStart = watching.status();

const { entries } = lib.store;
const rootId = entries.rootOf(loc)!;
/** Whether the index has the file NAME in the location's folder FOLDER (two look-ups by parent and name). */
const has = (folder: string, name: string) => {
  const dir = entries.childDir(rootId, folder);
  return dir !== undefined && entries.child(dir, name)?.kind === 'file';
};
const written = Date.now();
for (let i = 0; i < folders; i++) writeFileSync(join(tree, `f${i}`, 'late.txt'), 'written after the watcher started');
const took: Record<string, number> = {};
const deadline = written + 30_000;
while (Object.keys(took).length < folders && Date.now() < deadline) {
  for (let i = 0; i < folders; i++) if (took[`f${i}`] === undefined && has(`f${i}`, 'late.txt')) took[`f${i}`] = Date.now() - written;
  await new Promise((r) => setTimeout(r, 20));
}
await watching.close();
lib.close();
process.stdout.write(JSON.stringify({ said, statusAfterStart, took }) + '\n');
