import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { FIXTURES, REPO, json, tempDir } from '../helpers.js';
import { cliHere } from '../support/cli-here.js';

/**
 * A real library over copies of the shared fixtures (in a temp folder, never in the repo), its
 * sidecars made up front, and a real daemon in its own process serving the app at /ui/: what the
 * browser tests, the UI bench and the screenshot script open.
 */

/** The fixture files of the library, by what the tests use them for. */
export const UI_FIXTURES = {
  ocrImage: 'ocr/tesseract-test/phototest.tif',
  scannedPdf: 'pdf/scanned/ocrmypdf-linn.pdf',
  textPdf: 'pdf/text-layer/springai-pdftex-sample.pdf',
  livePhoto: 'livephoto/apple-iphone6s/train.jpg',
  livePhotoMovie: 'livephoto/apple-iphone6s/train.mov',
  video: 'video/photoprism-blue-go-video.mp4',
  photo: 'exif/Canon_40D.jpg',
  gpsPhoto: 'exif/gps/DSCN0010.jpg',
  rotatedPhoto: 'exif/orientation/landscape_6.jpg',
} as const;

export type UiFixture = keyof typeof UI_FIXTURES;
export const nameOf = (f: UiFixture): string => basename(UI_FIXTURES[f]);

/** Whether this build has the web UI's daemon side (`vss ui`); the browser tests need it. */
export const UI_SKIP = existsSync(join(REPO, 'dist', 'src', 'cli', 'commands', 'ui.js')) ? false : 'this build has no `vss ui` (the web UI is not merged)';

/** Whether this build has search (`GET …/search`); the search cases need it. */
export const HAVE_SEARCH = existsSync(join(REPO, 'dist', 'src', 'api', 'search.js'));
export const SEARCH_SKIP = HAVE_SEARCH ? false : 'this build has no search (not merged)';

export interface UiLibrary {
  /** A fresh sign-in address, as `vss ui` prints it: `/ui/?ticket=…`, good for one browser, once, within a minute. */
  signInUrl: () => Promise<string>;
  /** The daemon's http://127.0.0.1:PORT. */
  http: string;
  libraryId: string;
  token: string;
  /** The folder of the (deep, watched) location. */
  tree: string;
  env: Record<string, string>;
  uuidOf: (f: UiFixture) => string;
  stop: () => Promise<void>;
}

interface Content { content_uuid: string; paths: string[] }

/**
 * Builds the library (sidecars made in-process first, so the daemon starts with nothing to do), then
 * starts its daemon. MORE_FIXTURES: further fixture files (paths under the fixtures folder) to add;
 * PREPARE: makes more files in the folder (made from the fixtures) before it is indexed; ONLY:
 * the UI_FIXTURES to take (default all), for a test that needs few (each costs its sidecars).
 */
export async function startUiLibrary(prefix = 'vss-ui-', opts: {
  moreFixtures?: readonly string[]; prepare?: (tree: string) => Promise<void>; only?: readonly UiFixture[];
  /** The sidecars the location makes (`location add --generate`); default: the device's policy, every kind. */
  generate?: string;
} = {}): Promise<UiLibrary> {
  const tmp = tempDir(prefix);
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const offline = { ...env, VSS_NO_DAEMON: '1' };
  const tree = join(tmp.path, 'Pictures');
  let daemon = false;
  const stop = async () => {
    if (daemon) await cliHere(['daemon', 'stop'], env);
    tmp.cleanup();
  };
  try {
    mkdirSync(tree);
    const base = opts.only ? opts.only.map((f) => UI_FIXTURES[f]) : Object.values(UI_FIXTURES);
    for (const f of [...base, ...(opts.moreFixtures ?? [])]) copyFileSync(join(FIXTURES, f), join(tree, basename(f)));
    await opts.prepare?.(tree);
    // The CLI in this process (test/support/cli-here.ts): a Node start and a load of vss less per
    // call; what is tested runs in the daemon, in its own process (`vss ui` starts it detached).
    json(await cliHere(['library', 'create', 'Photos', '--path', tmp.path, '--json'], offline));
    json(await cliHere(['location', 'add', tree, '--mode', 'deep', ...(opts.generate ? ['--generate', opts.generate] : []), '--json'], offline));
    const run = await cliHere(['jobs', 'run', '--until-idle'], offline);
    if (run.code !== 0) throw new Error(`jobs run: ${run.stderr}`);
    const contents = json<Content[]>(await cliHere(['content', 'list', '--json'], offline));
    const libraryId = json<{ id: string }>(await cliHere(['library', 'current', '--json'], offline)).id;
    daemon = true;
    const ui = json<{ url: string; http: string }>(await cliHere(['ui', '--json'], env));
    const token = readFileSync(join(env.VSS_DATA_DIR, 'daemon.token'), 'utf8').trim();
    const uuidOf = (f: UiFixture) => {
      const c = contents.find((x) => x.paths.some((p) => basename(p) === nameOf(f)));
      if (!c) throw new Error(`${nameOf(f)} is not in the library`);
      return c.content_uuid;
    };
    // The first address is the one `vss ui` printed; later ones come from the same operation, with the bearer token (no process each).
    // A ticket lives a minute (src/daemon/ui/session.ts): the printed one is used only while it surely lives (a test
    // file's `before` may make sidecars for longer on a loaded machine).
    let printed: string | undefined = ui.url;
    const printedAt = Date.now();
    const signInUrl = async () => {
      if (printed && Date.now() - printedAt < 30_000) {
        const url = printed;
        printed = undefined;
        return url;
      }
      return ticketUrl(ui.http, token);
    };
    return { signInUrl, http: ui.http, libraryId, token, tree, env, uuidOf, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** GET PATH of the daemon at HTTP with its bearer TOKEN, as JSON; anything but 200 fails the test, with the body. */
export async function daemonGet<T>(http: string, token: string, path: string): Promise<T> {
  const r = await fetch(`${http}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) });
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

/** A sign-in address for the daemon at HTTP: a ticket asked for with its bearer token (`POST /api/ui/ticket`, what `vss ui` does). */
export async function ticketUrl(http: string, token: string): Promise<string> {
  const r = await fetch(`${http}/api/ui/ticket`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) });
  if (r.status !== 200) throw new Error(`a web UI ticket: ${r.status} ${await r.text()}`);
  const { ticket } = (await r.json()) as { ticket: string };
  return `${http}/ui/?ticket=${encodeURIComponent(ticket)}`;
}
