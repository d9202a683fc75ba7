/**
 * The door a paired browser's requests come in by, for the safety model: the daemon's own API
 * server (`createApiServer`: its hook that says who asks and what their rights let them call) and
 * routes (`registerApi`: the operation table's routes, their argument checks, the streamed answers)
 * in this process, over the device's open library, asked by `fastify.inject` through the bridge's
 * door — as the daemon itself serves a browser away from home (daemon/p2p-http.ts): the request
 * names the paired browser, the server's hook finds it and holds it to its rights. No socket or
 * cookie to keep per world: the request meets the same hook, rights table, route and core call a
 * phone's request on the home network meets (only the way it proves who it is differs, and the
 * model's browser is paired with every right).
 *
 * What the routes ask of the daemon's core (DaemonCore: the open libraries, a request served within
 * a stop's grace) is answered from the world's device, run within its life (life.ts): a kill -9
 * ends what a browser asked as it ends the rest of that device's work.
 */
import type { LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import type { LibraryApi } from '../../src/api/index.js';
import type { DaemonCore } from '../../src/daemon/daemon-core.js';
import { BRIDGE_BROWSER_HEADER, BRIDGE_SECRET_HEADER } from '../../src/daemon/p2p-http.js';
import { registerApi } from '../../src/daemon/routes/index.js';
import { createApiServer, type ApiServer } from '../../src/daemon/server.js';
import { BrowserDevices } from '../../src/device/browser-devices.js';
import { VssError } from '../../src/core/errors.js';
import type { Device } from './world.js';

/** A browser's answer: its HTTP status and the lines of its body (a streamed operation's events, then its result or error). */
export interface BrowserAnswer {
  status: number;
  lines: Array<Record<string, unknown>>;
}

export class BrowserDoor {
  private constructor(private readonly server: ApiServer, private readonly browserId: string) {}

  /** The door of the device DEVICE() (the one up now: a kill or a restart opens another), whose data dir pairs the browser. */
  static async open(dataDir: string, device: () => Device): Promise<BrowserDoor> {
    const log = pino({ level: 'silent' });
    const server = createApiServer({ log, token: 'the model asks as a browser, never with the token' });
    const browsers = BrowserDevices.load(dataDir);
    const phone = browsers.list().find((b) => b.may.files && b.may.view && b.may.organise && b.may.upload);
    if (!phone) throw new Error(`no browser with every right is paired in ${dataDir}`);
    server.sessions.keepBrowsers(browsers);
    const refuse = () => {
      throw new VssError('IO', 'the model\'s daemon serves the library and its files only');
    };
    // What the routes use of the daemon's core, answered from the world's device.
    const host = {
      vss: { dataDir },
      log,
      stopping: false,
      library: (): LibraryApi => device().api,
      serve: <T>(fn: () => Promise<T> | T): Promise<T> => device().life.run(() => Promise.resolve().then(fn)),
      onEvent: () => () => undefined,
      onClose: () => () => undefined,
      recentEvents: () => [],
      runJobs: refuse,
      get browsers() {
        return browsers;
      },
      get peers() {
        return refuse();
      },
    };
    await registerApi(server.app, host as unknown as DaemonCore);
    await server.app.ready();
    return new BrowserDoor(server, phone.id);
  }

  /** The browser asks METHOD URL with BODY (JSON) of DEV; answered once the route has answered whole, or SIGNAL ends the wait. */
  async ask(dev: Device, method: 'GET' | 'POST', url: string, body: unknown, signal: AbortSignal): Promise<BrowserAnswer> {
    const res: LightMyRequestResponse = await dev.life.run(() => this.server.app.inject({
      method, url, signal,
      headers: { [BRIDGE_SECRET_HEADER]: this.server.bridgeSecret, [BRIDGE_BROWSER_HEADER]: this.browserId, 'content-type': 'application/json' },
      ...(method === 'POST' ? { payload: JSON.stringify(body ?? {}) } : {}),
    }));
    const lines = res.body.split('\n').filter((l) => l.trim() !== '').map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return { text: l };
      }
    });
    return { status: res.statusCode, lines };
  }

  async close(): Promise<void> {
    await this.server.app.close();
  }
}

/** An answer in words: done, or refused or failed with its reason's first line (a streamed operation answers 200 and says its error last). */
export function answerWords(a: BrowserAnswer): string {
  const last = a.lines.at(-1) ?? {};
  const error = last.error as { code?: string; message?: string } | undefined;
  if (a.status < 400 && !error) return 'done';
  const message = String(error?.message ?? JSON.stringify(last)).split('\n')[0]!.slice(0, 200);
  return `${error?.code === 'POLICY' ? 'refused' : 'failed'} (${a.status >= 400 ? `HTTP ${a.status}, ` : ''}${error?.code ?? 'no code'}): ${message}`;
}
