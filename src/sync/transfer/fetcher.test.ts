import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import { tempDir } from '../../../test/helpers.js';
import { makeDevice, newAddress, pairAndConnect, tellAvailability, type TestDevice } from '../../../test/sync-peers.js';
import { sidecarAbsPath, type SidecarAddress } from '../../sidecars/address.js';
import { MessageChannel } from '../net/message-channel.js';
import { PROTOCOLS } from '../messages/table.js';
import { Fetcher } from './fetcher.js';
import { serveFetch } from './fetch-protocol.js';

const THUMB = 20 * 1024;
const hex = (b: Buffer): string => blake3(b).toString('hex');

/** A fetch server that answers every item through SEND (a liar's script), over the real protocol framing. */
function liar(send: (ch: MessageChannel, item: { c: string; s: number; x: string; f: string; o: number }) => Promise<void>) {
  return async (stream: Parameters<Parameters<TestDevice['serve']>[0] & object>[0]): Promise<void> => {
    const ch = new MessageChannel(stream, PROTOCOLS.fetch.maxMessageBytes);
    const req = (await ch.receive()) as { items: { c: string; s: number; x: string; f: string; o: number }[] };
    for (const item of req.items) await send(ch, item);
    await ch.close();
  };
}

describe('fetching sidecars between real peers over loopback', () => {
  const tmp = tempDir();
  let a: TestDevice; // honest owner
  let b: TestDevice; // the receiver
  let c: TestDevice; // the second source: honest or lying, per test

  before(async () => {
    a = await makeDevice(tmp.path, 'a');
    b = await makeDevice(tmp.path, 'b', a.lib.config.id);
    c = await makeDevice(tmp.path, 'c', a.lib.config.id);
    await a.serve();
    await pairAndConnect(a, b);
    await pairAndConnect(c, b);
  });
  after(async () => {
    await Promise.all([a.stop(), b.stop(), c.stop()]);
    tmp.cleanup();
  });

  /** A ready sidecar of SIZE random bytes on OWNER (and the same bytes on ALSO), announced to b. */
  function own(owners: TestDevice[], size = THUMB, address = newAddress()): { address: SidecarAddress; data: Buffer } {
    const data = randomBytes(size);
    for (const o of owners) {
      o.sidecars.writeGenerated(address, data, 'test');
      tellAvailability(b, o, address);
    }
    return { address, data };
  }

  const fileOnB = (addr: SidecarAddress): string => sidecarAbsPath(b.lib.root, addr);
  const rowOnB = (addr: SidecarAddress) => b.sidecars.get(addr);
  const suspects = (device: TestDevice) => b.lib.store.availabilitySuspects.ofDevice(device.lib.device.uuid);
  const counters = (device: TestDevice) => {
    const r = b.lib.store.peerSync.get(device.lib.device.uuid);
    return r && { files_fetched: r.files_fetched, bytes_fetched: r.bytes_fetched, failures: r.failures };
  };
  /** Temporary files beside ADDR's final path, and its partials in the transfers folder. */
  const tempsBeside = (addr: SidecarAddress): string[] => {
    const dir = dirname(fileOnB(addr));
    const parts = b.lib.layout.transfersDir;
    return [
      ...(existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('.vss-tmp-')) : []),
      ...(existsSync(parts) ? readdirSync(parts).filter((n) => n.startsWith(addr.contentUuid)) : []),
    ];
  };

  it('fetches a pipelined batch, verifies every file and records it fetched, counting per peer', async () => {
    const items = Array.from({ length: 60 }, () => own([a]));
    const fetcher = new Fetcher(b.store, b.link(), { batchItems: 25 });
    try {
      const out = await fetcher.fetch(items.map((i) => i.address), { priority: 'job' });
      for (const [n, o] of out.entries()) {
        assert.ok(o.ok, JSON.stringify(o));
        assert.equal(o.from, a.lib.device.uuid);
        assert.deepEqual(readFileSync(o.path), items[n]!.data);
        const row = rowOnB(items[n]!.address)!;
        assert.equal(row.status, 'ready');
        assert.equal(row.source, 'fetched');
        assert.equal(row.checksum, hex(items[n]!.data));
      }
      assert.deepEqual(counters(a), { files_fetched: 60, bytes_fetched: 60 * THUMB, failures: 0 });
      // Already here: answered locally, nothing moves.
      const again = await fetcher.fetch([items[0]!.address], { priority: 'user' });
      assert.ok(again[0]!.ok && again[0]!.from === b.lib.device.uuid && again[0]!.bytes === 0);
    } finally {
      fetcher.close();
    }
  });

  it('a batch where one item lies: that one is caught and marked suspect, every other is recorded, in groups after their renames', async () => {
    // More items than one commit group takes (64), so several groups and a last short one are recorded.
    const items = Array.from({ length: 150 }, () => own([a]));
    const liarAt = 70;
    const byContent = new Map(items.map((i) => [i.address.contentUuid, i.data]));
    for (const i of items) tellAvailability(b, c, i.address, { size: THUMB, checksum: hex(i.data) });
    await c.serve(liar(async (ch, item) => {
      await ch.send({ ok: true, size: item.s, checksum: item.x, format: item.f, offset: item.o });
      await ch.writeBytes(item.c === items[liarAt]!.address.contentUuid ? randomBytes(item.s) : byContent.get(item.c)!);
    }));
    const before = counters(c)?.files_fetched;
    // Each change is told only once its row is there, and its file is in place before that.
    const told: string[] = [];
    const notYet: string[] = [];
    const off = b.lib.events.on('sidecar:changed', (e) => {
      const addr = items.find((i) => i.address.contentUuid === e.contentUuid)?.address;
      if (!addr) return;
      told.push(e.contentUuid);
      if (rowOnB(addr)?.status !== 'ready' || !existsSync(fileOnB(addr))) notYet.push(e.contentUuid);
    });
    const onlyC = new Fetcher(b.store, { connected: () => b.link().connected().filter((r) => r.deviceUuid === c.lib.device.uuid), open: b.link().open }, { batchItems: 1000, stallMs: 5000 });
    try {
      const out = await onlyC.fetch(items.map((i) => i.address), { priority: 'job' });
      for (const [n, o] of out.entries()) {
        if (n === liarAt) {
          assert.equal(o.ok, false, 'the lie is caught');
          continue;
        }
        assert.ok(o.ok, JSON.stringify(o));
        assert.equal(o.from, c.lib.device.uuid);
        assert.deepEqual(readFileSync(o.path), items[n]!.data);
        assert.equal(rowOnB(items[n]!.address)?.source, 'fetched');
      }
      const lied = items[liarAt]!.address;
      assert.equal(rowOnB(lied), undefined, 'nothing recorded for the lie');
      assert.equal(existsSync(fileOnB(lied)), false);
      assert.deepEqual(tempsBeside(lied), []);
      assert.ok(suspects(c).some((s) => s.content_uuid === lied.contentUuid));
      assert.equal(told.length, items.length - 1);
      assert.deepEqual(notYet, []);
      const after = counters(c)!.files_fetched;
      assert.equal(after - (before ?? 0), items.length - 1);
    } finally {
      off();
      onlyC.close();
      await c.serve(liar(async (ch) => ch.send({ ok: false, reason: 'gone' })));
    }
  });

  it('the server refuses what is not ready, not shared, or not an address', async () => {
    const pending = newAddress();
    a.sidecars.record(pending, { status: 'pending', source: 'generated', size: null, checksum: null, sourceEntryId: null, error: null });
    const ready = own([a]);
    const ask = async (lib: string, items: object[]): Promise<unknown[]> => {
      const ch = new MessageChannel(await b.node.open(a.node.peerId, 'fetch'), PROTOCOLS.fetch.maxMessageBytes);
      await ch.send({ lib, items });
      const headers = [];
      for (let i = 0; i < items.length; i++) headers.push(await ch.receive(AbortSignal.timeout(10_000)));
      await ch.close();
      return headers;
    };
    const item = (x: SidecarAddress, over: object = {}) => ({ c: x.contentUuid, k: x.kind, v: x.variant, f: x.format, s: THUMB, x: hex(ready.data), o: 0, ...over });
    const [notReady, traversal, changed] = (await ask(a.lib.config.id, [item(pending), item(ready.address, { v: '../../../etc' }), item(ready.address, { x: 'f'.repeat(64) })])) as { ok: boolean; reason: string }[];
    assert.equal(notReady!.ok, false);
    assert.match(notReady!.reason, /not ready/);
    assert.equal(traversal!.ok, false);
    assert.equal(changed!.ok, false);
    assert.match(changed!.reason, /changed/);
    const [otherLib] = (await ask('00000000-0000-4000-8000-000000000000', [item(ready.address)])) as { ok: boolean; reason: string }[];
    assert.equal(otherLib!.ok, false);
    assert.match(otherLib!.reason, /not shared/);
  });

  async function lieThenFallBack(lie: Parameters<typeof liar>[0], size = THUMB): Promise<SidecarAddress> {
    await c.serve(liar(lie));
    const { address, data } = own([a], size);
    tellAvailability(b, c, address, { size, checksum: hex(data) });
    const fetcher = new Fetcher(b.store, b.link(), { stallMs: 1500 });
    try {
      // A fresh fetcher knows neither source: c is asked first by offering it alone.
      const viaC = await new Fetcher(b.store, { connected: () => b.link().connected().filter((r) => r.deviceUuid === c.lib.device.uuid), open: b.link().open }, { stallMs: 1500 })
        .fetch([address], { priority: 'user' });
      assert.equal(viaC[0]!.ok, false, 'the lie is caught');
      assert.equal(rowOnB(address)?.status, undefined, 'nothing is recorded for unverified bytes');
      assert.equal(existsSync(fileOnB(address)), false);
      assert.deepEqual(tempsBeside(address).filter((n) => !n.endsWith('.part')), []);
      // c now has nothing to give, whichever source the next fetcher asks first.
      await c.serve(liar(async (ch) => ch.send({ ok: false, reason: 'gone' })));
      const out = await fetcher.fetch([address], { priority: 'user' });
      assert.ok(out[0]!.ok, JSON.stringify(out[0]));
      assert.equal(out[0]!.from, a.lib.device.uuid);
      assert.deepEqual(readFileSync(fileOnB(address)), data);
      assert.equal(rowOnB(address)!.source, 'fetched');
      return address;
    } finally {
      fetcher.close();
    }
  }

  it('wrong bytes: caught, the entry marked suspect and skipped, the honest source used', async () => {
    const address = await lieThenFallBack(async (ch, item) => {
      await ch.send({ ok: true, size: item.s, checksum: item.x, format: item.f, offset: item.o });
      await ch.writeBytes(randomBytes(item.s));
    });
    assert.ok(suspects(c).some((s) => s.content_uuid === address.contentUuid));
    assert.deepEqual(new Fetcher(b.store, b.link()).sources(address), [a.lib.device.uuid], 'the suspect entry is no source');
  });

  it('more bytes than announced: the receiver takes no more than the announced size', async () => {
    const address = await lieThenFallBack(async (ch, item) => {
      await ch.send({ ok: true, size: item.s, checksum: item.x, format: item.f, offset: item.o });
      await ch.writeBytes(randomBytes(item.s * 5));
    });
    assert.ok(suspects(c).some((s) => s.content_uuid === address.contentUuid));
  });

  it('a header announcing another size than the entry is a lie', async () => {
    const address = await lieThenFallBack(async (ch, item) => {
      await ch.send({ ok: true, size: item.s * 2, checksum: item.x, format: item.f, offset: item.o });
      await ch.writeBytes(randomBytes(item.s * 2));
    });
    assert.ok(suspects(c).some((s) => s.content_uuid === address.contentUuid));
  });

  it("another address's bytes: caught", async () => {
    const other = own([a]);
    const address = await lieThenFallBack(async (ch, item) => {
      await ch.send({ ok: true, size: item.s, checksum: item.x, format: item.f, offset: item.o });
      await ch.writeBytes(other.data);
    });
    assert.ok(suspects(c).some((s) => s.content_uuid === address.contentUuid));
  });

  it('a never-ending stream of a large file: bounded by the announced size, memory stays flat', async () => {
    let sent = 0;
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const address = await lieThenFallBack(async (ch, item) => {
      await ch.send({ ok: true, size: item.s, checksum: item.x, format: item.f, offset: item.o });
      const chunk = randomBytes(256 * 1024);
      // Until the receiver hangs up (bounded by count, so the test cannot run away).
      for (let i = 0; i < 4000; i++) {
        await ch.writeBytes(chunk);
        sent += chunk.byteLength;
        rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      }
    }, 24 * 1024 * 1024);
    assert.ok(sent >= 24 * 1024 * 1024, `the liar sent ${sent} bytes`);
    assert.ok(suspects(c).some((s) => s.content_uuid === address.contentUuid));
    assert.ok(rssPeak - rssBefore < 200 * 1024 * 1024, `rss grew by ${Math.round((rssPeak - rssBefore) / 1048576)} MiB`);
    assert.deepEqual(tempsBeside(address), [], 'a lying partial is not kept');
  });

  it('a stalled stream: given up after the stall timeout, the partial resumed elsewhere is re-verified', async () => {
    const size = 6 * 1024 * 1024;
    const started = Date.now();
    const address = await lieThenFallBack(async (ch, item) => {
      await ch.send({ ok: true, size: item.s, checksum: item.x, format: item.f, offset: item.o });
      await ch.writeBytes(randomBytes(size / 2));
      await new Promise((r) => setTimeout(r, 10_000));
    }, size);
    assert.ok(Date.now() - started < 9_000, 'the stall timeout ended the wait');
    // A stall is no lie: c's entry is not suspect, only counted as a failure.
    assert.equal(suspects(c).some((s) => s.content_uuid === address.contentUuid), false);
  });

  it("a file corrupted on the owner's disk is refused, marked suspect and fetched from the next source", async () => {
    await c.serve();
    const { address, data } = own([a, c]);
    // Behind a's back: same size, other bytes, the record still says ready.
    writeFileSync(sidecarAbsPath(a.lib.root, address), randomBytes(THUMB));
    const fetcher = new Fetcher(b.store, b.link(), { stallMs: 5000 });
    try {
      // A fresh fetcher knows neither source: a is asked first by offering it alone.
      const viaA = await new Fetcher(b.store, { connected: () => b.link().connected().filter((r) => r.deviceUuid === a.lib.device.uuid), open: b.link().open })
        .fetch([address], { priority: 'user' });
      assert.equal(viaA[0]!.ok, false);
      assert.ok(suspects(a).some((s) => s.content_uuid === address.contentUuid), 'the corrupted entry is suspect');
      assert.equal(existsSync(fileOnB(address)), false);
      const out = (await fetcher.fetch([address], { priority: 'user' }))[0]!;
      assert.ok(out.ok, JSON.stringify(out));
      assert.equal(out.from, c.lib.device.uuid);
      assert.deepEqual(readFileSync(fileOnB(address)), data);
    } finally {
      fetcher.close();
    }
  });

  it('a source killed mid-transfer of a large file: the rest comes from another source, from where it stopped', async () => {
    const size = 64 * 1024 * 1024;
    const d = await makeDevice(tmp.path, 'd', a.lib.config.id);
    const e = await makeDevice(tmp.path, 'e', a.lib.config.id);
    try {
      // d dies mid-transfer: its streams are reset (as a killed process's are), then its node stops.
      const live = new Set<Parameters<Parameters<TestDevice['serve']>[0] & object>[0]>();
      await d.serve(async (stream, peer) => {
        live.add(stream);
        await serveFetch(stream, d.remotes.get(peer)!, (id) => (id === d.lib.config.id ? d.store : undefined));
      });
      await e.serve();
      await pairAndConnect(d, b);
      await pairAndConnect(e, b);
      const data = randomBytes(size);
      const address = newAddress('proxy', 'quick', 'mp4');
      d.sidecars.writeGenerated(address, data, 'test');
      tellAvailability(b, d, address);
      // Only d is known at first; e's entry arrives once d is gone.
      const fetcher = new Fetcher(b.store, b.link(), { bandwidthBytesPerSec: 16 * 1024 * 1024, stallMs: 3000 });
      const partDir = b.lib.layout.transfersDir;
      const killed = (async () => {
        const until = Date.now() + 30_000;
        while (Date.now() < until) {
          const part = existsSync(partDir) ? readdirSync(partDir).find((n) => n.endsWith('.part')) : undefined;
          if (part && statSync(`${partDir}/${part}`).size > 8 * 1024 * 1024) {
            e.sidecars.writeGenerated(address, data, 'test');
            tellAvailability(b, e, address);
            for (const s of live) s.abort(new Error('killed'));
            await d.node.stop();
            return;
          }
          await new Promise((r) => setTimeout(r, 20));
        }
        throw new Error('the partial never grew');
      })();
      const out = (await fetcher.fetch([address], { priority: 'job' }))[0]!;
      await killed;
      fetcher.close();
      assert.ok(out.ok, JSON.stringify(out));
      assert.equal(out.from, e.lib.device.uuid);
      assert.ok(out.bytes < size - 8 * 1024 * 1024, `e sent only the rest (${out.bytes} of ${size})`);
      assert.equal(hex(readFileSync(fileOnB(address))), hex(data));
      assert.equal(rowOnB(address)!.status, 'ready');
      assert.deepEqual(tempsBeside(address), []);
    } finally {
      await Promise.all([d.stop().catch(() => undefined), e.stop()]);
    }
  });

  it('picks the faster source by measurement, and a user request passes a bandwidth-limited prefetch', async () => {
    // c answers honestly but 300 ms late: once both are measured, a comes first.
    await c.serve(async (stream, peer) => {
      await new Promise((r) => setTimeout(r, 300));
      await serveFetch(stream, c.remotes.get(peer)!, (id) => (id === c.lib.config.id ? c.store : undefined));
    });
    const fetcher = new Fetcher(b.store, b.link(), { streamsAtOnce: 1 });
    try {
      for (let i = 0; i < 3; i++) {
        const x = own([a, c]);
        assert.ok((await fetcher.fetch([x.address], { priority: 'job' }))[0]!.ok);
      }
      const probe = own([a, c]);
      assert.deepEqual(fetcher.sources(probe.address), [a.lib.device.uuid, c.lib.device.uuid]);

      fetcher.setBandwidth(1024 * 1024);
      const bulk = Array.from({ length: 100 }, () => own([a]).address);
      const prefetchStarted = Date.now();
      let prefetchDone = 0;
      const prefetch = fetcher.fetch(bulk, { priority: 'prefetch' }).then((o) => {
        prefetchDone = Date.now();
        return o;
      });
      await new Promise((r) => setTimeout(r, 200));
      const userStarted = Date.now();
      const user = await fetcher.fetch([probe.address], { priority: 'user' });
      const userMs = Date.now() - userStarted;
      assert.ok(user[0]!.ok);
      const outs = await prefetch;
      assert.ok(outs.every((o) => o.ok));
      assert.ok(prefetchDone - prefetchStarted >= 1200, `2 MB at 1 MB/s took ${prefetchDone - prefetchStarted} ms`);
      // Passed, not timed (a loaded machine makes any bound on the user's fetch flaky): it ended
      // while the bulk still had most of its 2 s of bandwidth to go.
      assert.ok(prefetchDone > userStarted + userMs, `the user's fetch (${userMs} ms) ended after the prefetch it should have passed`);
    } finally {
      fetcher.close();
    }
  });
});
