import type { EventSourceMessage } from 'eventsource-parser';
import { VssError } from '../../core/errors.js';
import type { EventFollow, StreamedEvent } from '../index.js';
import type { DaemonHttp } from './daemon-http.js';
import { readAll, toError } from './daemon-http.js';

/** Read the daemon's Server-Sent Events, each to ONEVENT, until stopped or the daemon ends the stream. */
export function followEvents(http: DaemonHttp, opts: { library?: string; follow?: boolean; recent?: boolean }, onEvent: (e: StreamedEvent) => void): EventFollow {
  const abort = new AbortController();
  let onConnected!: () => void;
  const connected = new Promise<void>((r) => (onConnected = r));
  const done = (async () => {
    let res;
    try {
      res = await http.open('events', { query: { library: opts.library, follow: opts.follow ?? true, recent: opts.recent ?? true }, signal: abort.signal });
    } catch (err) {
      if (abort.signal.aborted) return;
      throw err;
    }
    if ((res.statusCode ?? 500) >= 400) throw toError(safeJson(await readAll(res, 65536).catch(() => '')));
    // The daemon subscribes this stream before it sends the headers.
    onConnected();
    // Loaded by the commands that follow events, not by every one that talks to the daemon.
    const { createParser } = await import('eventsource-parser');
    const parser = createParser({
      onEvent: (m: EventSourceMessage) => {
        if (m.data.length > 16 * 1024 * 1024) throw new VssError('IO', 'an event from the daemon is too large');
        onEvent(JSON.parse(m.data) as StreamedEvent);
      },
    });
    res.setEncoding('utf8');
    try {
      for await (const chunk of res as AsyncIterable<string>) parser.feed(chunk);
    } catch (err) {
      if (!abort.signal.aborted) throw err instanceof VssError ? err : new VssError('IO', `the daemon stopped (${(err as Error).message})`, { cause: err });
    }
    // Following, only our stop ends the stream: an end from the other side means the daemon went away.
    if ((opts.follow ?? true) && !abort.signal.aborted) throw new VssError('IO', 'the daemon stopped: its event stream ended');
  })();
  // A stream that never connects (refused, stopped first) must not leave a waiter hanging.
  void done.finally(onConnected).catch(() => undefined);
  return {
    connected,
    done,
    stop: async () => {
      abort.abort();
      await done.catch(() => undefined);
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
