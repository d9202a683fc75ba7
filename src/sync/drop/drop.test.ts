import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, statSync, symlinkSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { Libp2p, Stream } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import pino from 'pino';
import { tempDir } from '../../../test/helpers.js';
import { loopSkipReason, makeLoopVolume, type LoopVolume } from '../../../test/loop-volume.js';
import { PeerChannel } from '../messages/channel.js';
import { PeerNode } from '../net/peer-node.js';
import type { RemoteDevice } from '../peer-link.js';
import type { FileReceived } from '../../core/events.js';
import { serveDrop } from './receive.js';
import { partialOf, STATE_DIR } from './journal.js';
import { VssError } from '../../core/errors.js';
import { cancelDrop, DropRefused, sendDrop, type DropItem } from './send.js';

const LOOPBACK = ['/ip4/127.0.0.1/tcp/0'];
const hex = (b: Buffer) => blake3(b).toString('hex');
const V1 = '/vss/drop/1.0.0';
const V3 = '/vss/drop/3.0.0';
/** The libp2p node under a PeerNode: to serve or open /vss/drop under its 1.0.0 id alone, as a vss before 2.0.0 does. */
const libp2pOf = (n: PeerNode) => (n as unknown as { node: Libp2p }).node;

/**
 * /vss/drop between two nodes on loopback: A sends, B's inbox receives. B's handler is the
 * daemon's (serveDrop) with its inbox swappable, and A can speak the protocol by hand to lie.
 */
describe('Spacedrop: /vss/drop', () => {
  const tmp = tempDir('vss-drop-');
  const src = join(tmp.path, 'src');
  let inbox = join(tmp.path, 'inbox');
  let paired = true;
  const received: FileReceived[] = [];
  let nodeA: PeerNode;
  let nodeB: PeerNode;
  /** A third device, paired with A, that runs a vss of /vss/drop/1.0.0. */
  let olderPeer = '';
  const remoteA: RemoteDevice = { deviceUuid: randomUUID(), peerId: '', name: 'Laptop', libraryIds: [] };
  const open = () => nodeA.open(nodeB.addresses()[0]!, 'drop');
  const inboxFiles = () => readdirSync(inbox).filter((n) => n !== STATE_DIR).sort();
  const stateFiles = () => (existsSync(join(inbox, STATE_DIR)) ? readdirSync(join(inbox, STATE_DIR)) : []);

  const file = (name: string, bytes: Buffer): DropItem => {
    const path = join(src, name);
    writeFileSync(path, bytes);
    return { path, root: src, name, size: bytes.length, blake3: hex(bytes) };
  };
  /** A file as the send job offers it: no BLAKE3 (it is taken as the bytes go), its time. */
  const unhashed = (name: string, bytes: Buffer): DropItem => {
    const { blake3: _, ...rest } = file(name, bytes);
    return { ...rest, mtime_ms: Math.floor(statSync(rest.path).mtimeMs) };
  };

  before(async () => {
    mkdirSync(src, { recursive: true });
    mkdirSync(inbox, { recursive: true });
    const ids = { a: '', b: '' };
    const [ka, kb] = [await generateKeyPair('Ed25519'), await generateKeyPair('Ed25519')];
    const pairedWithA = (p: string) => p === ids.b || p === olderPeer;
    nodeA = await PeerNode.start({ privateKey: ka, listen: LOOPBACK, admit: pairedWithA, isPaired: pairedWithA });
    nodeB = await PeerNode.start({ privateKey: kb, listen: LOOPBACK, admit: (p) => p === ids.a, isPaired: (p) => p === ids.a });
    ids.a = nodeA.peerId;
    ids.b = nodeB.peerId;
    remoteA.peerId = ids.a;
    await nodeB.handle('drop', (stream: Stream) => serveDrop(stream, remoteA, {
      inbox: () => inbox, isPaired: () => paired, log: pino({ level: 'silent' }), onReceived: (f) => received.push(f),
    }));
  });
  after(async () => {
    await Promise.all([nodeA?.stop(), nodeB?.stop()]);
    tmp.cleanup();
  });

  it('files sent arrive verified in the inbox under free names, and nothing else stays', async () => {
    writeFileSync(join(inbox, 'a.txt'), 'already here');
    const items = [file('a.txt', Buffer.from('hello')), file('b.bin', randomBytes(3 * 1024 * 1024 + 17)), file('empty', Buffer.alloc(0))];
    const sent = await sendDrop(await open(), randomUUID(), items);
    assert.deepEqual(sent.saved, ['a (2).txt', 'b.bin', 'empty']);
    assert.equal(sent.bytesSent, 5 + 3 * 1024 * 1024 + 17);
    assert.equal(readFileSync(join(inbox, 'a (2).txt'), 'utf8'), 'hello');
    assert.equal(readFileSync(join(inbox, 'a.txt'), 'utf8'), 'already here', 'nothing is overwritten');
    assert.equal(hex(readFileSync(join(inbox, 'b.bin'))), items[1]!.blake3);
    assert.deepEqual(stateFiles(), [], 'no partial or journal left');
    assert.deepEqual(received.map((r) => [r.name, r.from_name]), [['a (2).txt', 'Laptop'], ['b.bin', 'Laptop'], ['empty', 'Laptop']]);
  });

  it('a file keeps the permission bits and time it was offered with, never setuid; one from an older sender is private', async () => {
    const at = Date.UTC(2001, 0, 2, 3, 4, 5);
    const secret = { ...file('secret.txt', Buffer.from('only mine')), mode: 0o600, mtime_ms: at };
    const tool = { ...file('tool.sh', Buffer.from('#!/bin/sh\n')), mode: 0o4755 };
    const older = file('older.txt', Buffer.from('from a vss that sends no mode'));
    const sent = await sendDrop(await open(), randomUUID(), [secret, tool, older]);
    const mode = (name: string) => statSync(join(inbox, name)).mode & 0o7777;
    assert.deepEqual(sent.saved.map(mode), [0o600, 0o755, 0o600]);
    assert.equal(statSync(join(inbox, sent.saved[0]!)).mtimeMs, at);
  });

  it('a mode a peer offers loses group and other write: a crafted 07777 lands 0755, a world-writable 0666 lands 0644', async () => {
    const crafted = { ...file('suid.sh', Buffer.from('#!/bin/sh\n')), mode: 0o7777 };
    const fromFat = { ...file('from-fat.txt', Buffer.from('a stick mounted umask=000')), mode: 0o666 };
    const sent = await sendDrop(await open(), randomUUID(), [crafted, fromFat]);
    assert.deepEqual(sent.saved.map((name) => statSync(join(inbox, name)).mode & 0o7777), [0o755, 0o644]);
  });

  it('a folder swapped for a symlink while an earlier file is sent: the file it leads to is never sent, the send fails as changed while sent', async () => {
    // The fault's race (D3), made deterministic: the swap comes as the first file's first bytes go, after the second was checked.
    const loc = join(tmp.path, 'loc-d3');
    const elsewhere = join(tmp.path, 'etc-d3');
    mkdirSync(join(loc, 's1'), { recursive: true });
    mkdirSync(join(loc, 's2'), { recursive: true });
    mkdirSync(elsewhere, { recursive: true });
    const secret = Buffer.from('the host name, secret');
    writeFileSync(join(elsewhere, 'hostname'), secret);
    const decoy = join(loc, 's2', 'hostname');
    writeFileSync(decoy, Buffer.alloc(secret.length, 'D'));
    // The decoy has the target's size and time (`touch -r` in the reproduction): the size and time checks pass.
    for (const p of [join(elsewhere, 'hostname'), decoy]) utimesSync(p, 1_700_000_000, 1_700_000_000);
    writeFileSync(join(loc, 's1', 'big.bin'), randomBytes(3 * 1024 * 1024));
    const item = (path: string, name: string) => {
      const st = statSync(path);
      // As the send job checked it: inside its location, this file (its device and inode), its size and time.
      return { path, root: loc, checked: { dev: st.dev, inode: st.ino }, name, size: st.size, mtime_ms: Math.floor(st.mtimeMs) } as DropItem;
    };
    const items = [item(join(loc, 's1', 'big.bin'), 'big-d3.bin'), item(decoy, 'hostname-d3')];
    let swapped = false;
    const swap = (n: number) => {
      if (swapped || n === 0) return;
      swapped = true;
      renameSync(join(loc, 's2'), join(loc, 's2.real'));
      symlinkSync(elsewhere, join(loc, 's2'));
    };
    const transfer = randomUUID();
    const err = await sendDrop(await open(), transfer, items, { onBytes: swap }).then(() => undefined, (e: unknown) => e);
    assert.ok(swapped, 'the folder was swapped during the send');
    const landed = inboxFiles().filter((n) => n.startsWith('hostname-d3')).map((n) => readFileSync(join(inbox, n)).toString());
    assert.deepEqual(landed.filter((t) => t === secret.toString()), [], 'the file outside the location never reached the receiver');
    assert.ok(err instanceof VssError && err.code === 'IO' && /hostname changed while it was sent \(.*through a symlink\): send it again/.test(err.message), String(err));
    await cancelDrop(await open(), transfer);
  });

  it('an unpaired device is refused: at the node, and by the handler when unpaired since it connected', async () => {
    const stranger = await PeerNode.start({ privateKey: await generateKeyPair('Ed25519'), listen: LOOPBACK, admit: () => true, isPaired: () => true });
    try {
      await assert.rejects(stranger.open(nodeB.addresses()[0]!, 'drop'));
    } finally {
      await stranger.stop();
    }
    paired = false;
    try {
      const before = inboxFiles();
      await assert.rejects(sendDrop(await open(), randomUUID(), [file('x.txt', Buffer.from('x'))]), (err: unknown) => err instanceof DropRefused && /not paired/.test(err.reason));
      assert.deepEqual(inboxFiles(), before);
    } finally {
      paired = true;
    }
  });

  for (const bad of ['../escape.txt', 'a/b.txt', 'back\\slash', '..', '.vss-drop', 'x'.repeat(256), 'tab\there']) {
    it(`an offer naming ${JSON.stringify(bad.slice(0, 20))} is refused with a reason and leaves no file`, async () => {
      const before = inboxFiles();
      const it0 = { ...file('ok.txt', Buffer.from('payload')), name: bad };
      await assert.rejects(sendDrop(await open(), randomUUID(), [it0]), (err: unknown) => err instanceof DropRefused && /item 0: |items\[0\]\.name/.test(err.reason));
      assert.deepEqual(inboxFiles(), before);
      assert.equal(existsSync(join(tmp.path, 'escape.txt')), false);
    });
  }

  it('a file whose bytes are not its announced BLAKE3 is refused and nothing of it is kept', async () => {
    const before = inboxFiles();
    const lie = { ...file('lie.bin', randomBytes(200_000)), blake3: hex(Buffer.from('something else')) };
    await assert.rejects(sendDrop(await open(), randomUUID(), [lie]), (err: unknown) => err instanceof DropRefused && /not the file offered/.test(err.reason) && err.index === 0);
    assert.deepEqual(inboxFiles(), before);
    assert.deepEqual(stateFiles().filter((n) => n.endsWith('.partial')), []);
  });

  it('a file that shrank since it was offered fails the send after what it had (read ahead chunk by chunk), and that much is kept to resume', async () => {
    const body = randomBytes(2 * 1024 * 1024 + 512 * 1024);
    const shrunk = { ...file('shrunk.bin', body), size: body.length + 1024 * 1024 };
    const transfer = randomUUID();
    await assert.rejects(sendDrop(await open(), transfer, [shrunk]), (err: unknown) => err instanceof VssError && err.code === 'IO' && /changed while it was sent \(1048576 bytes fewer/.test(err.message));
    const partial = partialOf(inbox, transfer, 0);
    await waitFor(() => existsSync(partial) && statSync(partial).size === body.length);
    assert.deepEqual(readFileSync(partial), body);
    await cancelDrop(await open(), transfer);
    assert.equal(existsSync(partial), false);
  });

  it('more bytes than announced: refused, nothing kept', async () => {
    const before = inboxFiles();
    const body = randomBytes(70_000);
    const ch = new PeerChannel(await open(), 'drop');
    await ch.send('drop.offer', { transfer: randomUUID(), total: body.length, items: [{ name: 'more.bin', size: body.length, blake3: hex(body) }] });
    const accept = await ch.receive(['drop.accept']);
    assert.deepEqual(accept.body.offsets, [0]);
    await ch.writeBytes(Buffer.concat([body, Buffer.from([0x01, 0xc1])]));
    await ch.send('drop.end', {});
    const m = await ch.receive(['drop.refused', 'drop.saved']);
    await ch.close();
    assert.equal(m.name, 'drop.refused');
    assert.match((m.body as { reason: string }).reason, /more than the 70000 bytes/);
    assert.deepEqual(inboxFiles(), before);
  });

  it('an offer whose total is not the sum of its files is refused', async () => {
    const ch = new PeerChannel(await open(), 'drop');
    await ch.send('drop.offer', { transfer: randomUUID(), total: 1, items: [{ name: 'x', size: 1 << 40, blake3: '0'.repeat(64) }] });
    const m = await ch.receive(['drop.refused', 'drop.accept']);
    await ch.close();
    assert.equal(m.name, 'drop.refused');
    assert.match((m.body as { reason: string }).reason, /not the sum/);
  });

  // The receiver lets go of a cut transfer a moment after its partial is whole; a sender's job
  // retries the refusal it gives meanwhile, and so do these tests (bounded).
  const resend = async (t: string, items: Parameters<typeof sendDrop>[2]) => {
    for (let i = 0; ; i++) {
      try {
        return await sendDrop(await open(), t, items);
      } catch (err) {
        if (i >= 50 || !(err instanceof DropRefused && /being received already/.test(err.reason))) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };

  it('a send cut off resumes after the bytes that arrived; a cancel drops what came', async () => {
    const body = randomBytes(6 * 1024 * 1024);
    const big = file('resume.bin', body);
    const transfer = randomUUID();
    // The first attempt goes away after 2 MiB (its link broke).
    const ch = new PeerChannel(await open(), 'drop');
    await ch.send('drop.offer', { transfer, total: body.length, items: [{ name: big.name, size: big.size, blake3: big.blake3 }] });
    await ch.receive(['drop.accept']);
    await ch.writeBytes(body.subarray(0, 2 * 1024 * 1024));
    await ch.close();
    const partial = join(inbox, STATE_DIR, `${transfer}-0.partial`);
    await waitFor(() => existsSync(partial) && readFileSync(partial).length === 2 * 1024 * 1024);
    assert.equal(inboxFiles().includes('resume.bin'), false);
    assert.equal(statSync(partial).mode & 0o777, 0o600, 'what is half received is private');

    const sent = await resend(transfer, [big]);
    assert.equal(sent.resumedFrom, 2 * 1024 * 1024);
    assert.equal(sent.bytesSent, body.length - 2 * 1024 * 1024, 'only the rest was sent');
    assert.equal(hex(readFileSync(join(inbox, 'resume.bin'))), big.blake3);
    assert.deepEqual(stateFiles(), []);

    // Cut again, then cancelled: the partial and the journal go.
    const t2 = randomUUID();
    const ch2 = new PeerChannel(await open(), 'drop');
    await ch2.send('drop.offer', { transfer: t2, total: body.length, items: [{ name: 'cancel.bin', size: big.size, blake3: big.blake3 }] });
    await ch2.receive(['drop.accept']);
    await ch2.writeBytes(body.subarray(0, 1024 * 1024));
    await ch2.close();
    await waitFor(() => stateFiles().some((n) => n.startsWith(`${t2}-0`)));
    await cancelDrop(await open(), t2);
    assert.deepEqual(stateFiles().filter((n) => n.startsWith(t2)), []);
    assert.equal(inboxFiles().includes('cancel.bin'), false);
  });

  describe('version 2: each BLAKE3 after its file\'s bytes', () => {
    it('files offered without their BLAKE3 are hashed as they are sent, and arrive verified', async () => {
      const items = [unhashed('v2-a.bin', randomBytes(3 * 1024 * 1024 + 5)), unhashed('v2-empty', Buffer.alloc(0)), unhashed('v2-b.txt', Buffer.from('small'))];
      const stream = await open();
      // Two devices of today speak the newest version, which keeps version 2's sums.
      assert.equal(stream.protocol, V3);
      const sent = await sendDrop(stream, randomUUID(), items);
      assert.deepEqual(sent.saved, ['v2-a.bin', 'v2-empty', 'v2-b.txt']);
      assert.equal(sent.bytesSent, 3 * 1024 * 1024 + 5 + 5);
      for (const it of items) assert.deepEqual(readFileSync(join(inbox, it.name)), readFileSync(it.path));
      assert.equal(Math.round(statSync(join(inbox, 'v2-a.bin')).mtimeMs), items[0]!.mtime_ms);
      assert.deepEqual(stateFiles(), []);
    });

    it('many small files (more than a group) and a large one among them all land verified, each confirmed once in place, in order of the offer', async () => {
      const items = Array.from({ length: 300 }, (_, i) => unhashed(`many-${String(i).padStart(3, '0')}.txt`, Buffer.from(`small file ${i} `.repeat(1 + (i % 7)))));
      items.splice(150, 0, unhashed('many-big.bin', randomBytes(9 * 1024 * 1024)));
      const confirmed: number[] = [];
      const sent = await sendDrop(await open(), randomUUID(), items, { onSaved: (i) => { confirmed.push(i); } });
      assert.deepEqual(sent.saved, items.map((it) => it.name));
      assert.deepEqual(confirmed.slice().sort((a, b) => a - b), items.map((_, i) => i), 'each confirmed once');
      assert.ok(confirmed.indexOf(149) < confirmed.indexOf(150), 'the files before the large one are placed before it');
      for (const it of items) assert.deepEqual(readFileSync(join(inbox, it.name)), readFileSync(it.path));
      assert.deepEqual(stateFiles(), []);
    });

    it('a sum that is not the bytes\' BLAKE3 (a corrupted or lying sender) is refused, and nothing of that file is kept', async () => {
      const before = inboxFiles();
      const body = randomBytes(1024 * 1024 + 3);
      const first = Buffer.from('placed before the lie');
      const ch = new PeerChannel(await open(), 'drop');
      assert.ok(ch.version >= 2, `version ${ch.version}`);
      await ch.send('drop.offer', { transfer: randomUUID(), total: first.length + body.length, items: [{ name: 'first.txt', size: first.length }, { name: 'lie2.bin', size: body.length }] });
      assert.deepEqual((await ch.receive(['drop.accept'])).body.offsets, [0, 0]);
      await ch.writeBytes(first);
      await ch.send('drop.sum', { index: 0, blake3: hex(first) });
      await ch.writeBytes(body);
      await ch.send('drop.sum', { index: 1, blake3: hex(Buffer.concat([body, Buffer.from('x')])) });
      assert.equal((await ch.receive(['drop.saved'])).body.index, 0);
      const m = await ch.receive(['drop.refused', 'drop.saved']);
      await ch.close();
      assert.equal(m.name, 'drop.refused');
      assert.match((m.body as { reason: string }).reason, /lie2\.bin: the bytes received are not the file offered \(BLAKE3 .*\): nothing kept/);
      assert.equal((m.body as { index?: number }).index, 1);
      assert.deepEqual(inboxFiles().filter((n) => !before.includes(n)), ['first.txt'], 'the file verified before stays; the lie does not land');
      assert.deepEqual(stateFiles(), [], 'no partial, no journal');
    });

    it('no sum after a file\'s bytes, or a byte more than announced where it goes, is refused and nothing of it is kept', async () => {
      const before = inboxFiles();
      for (const after of [Buffer.from([0x01, 0xc1]), Buffer.alloc(0)]) {
        const body = randomBytes(70_000);
        const ch = new PeerChannel(await open(), 'drop');
        await ch.send('drop.offer', { transfer: randomUUID(), total: body.length, items: [{ name: 'nosum.bin', size: body.length }] });
        await ch.receive(['drop.accept']);
        await ch.writeBytes(Buffer.concat([body, after]));
        await ch.send(after.length > 0 ? 'drop.sum' : 'drop.end', after.length > 0 ? { index: 0, blake3: hex(body) } : {});
        const m = await ch.receive(['drop.refused', 'drop.saved']);
        await ch.close();
        assert.equal(m.name, 'drop.refused');
        assert.match((m.body as { reason: string }).reason, /more than the 70000 bytes it announced, or no checksum after them/);
      }
      assert.deepEqual(inboxFiles(), before);
      assert.deepEqual(stateFiles(), []);
    });

    it('a send cut off resumes after what arrived (the sum covers the whole file), a placed file is not sent again, and a partial that is not the file is refused', async () => {
      const done = Buffer.from('placed in the first attempt');
      const body = randomBytes(5 * 1024 * 1024);
      const items = [unhashed('r2-done.txt', done), unhashed('r2-big.bin', body)];
      const offer = items.map(({ name, size, mtime_ms }) => ({ name, size, mtime_ms }));
      const cut = async (transfer: string) => {
        const ch = new PeerChannel(await open(), 'drop');
        await ch.send('drop.offer', { transfer, total: done.length + body.length, items: offer });
        await ch.receive(['drop.accept']);
        await ch.writeBytes(done);
        await ch.send('drop.sum', { index: 0, blake3: hex(done) });
        await ch.receive(['drop.saved']);
        await ch.writeBytes(body.subarray(0, 2 * 1024 * 1024));
        await ch.close();
        const partial = partialOf(inbox, transfer, 1);
        await waitFor(() => existsSync(partial) && statSync(partial).size === 2 * 1024 * 1024);
        return partial;
      };
      const transfer = randomUUID();
      await cut(transfer);
      const sent = await resend(transfer, items);
      assert.deepEqual(sent.saved, ['r2-done.txt', 'r2-big.bin'], 'the file placed in the first attempt is not placed again');
      assert.equal(sent.resumedFrom, done.length + 2 * 1024 * 1024);
      assert.equal(sent.bytesSent, body.length - 2 * 1024 * 1024, 'only the rest was sent');
      assert.deepEqual(readFileSync(join(inbox, 'r2-big.bin')), body);
      assert.deepEqual(stateFiles(), []);

      // The bytes the receiver holds are not the file's (changed there, or the file since, keeping its size and time).
      const t2 = randomUUID();
      const partial = await cut(t2);
      writeFileSync(partial, randomBytes(2 * 1024 * 1024));
      const before = inboxFiles();
      await assert.rejects(resend(t2, items), (err: unknown) => err instanceof DropRefused && /r2-big\.bin: the bytes received are not the file offered/.test(err.reason));
      assert.deepEqual(inboxFiles(), before);
      assert.deepEqual(stateFiles().filter((n) => n.startsWith(t2)), []);
    });

    it('a file whose time is not the one offered again starts over rather than resume after bytes of its older self', async () => {
      const body = randomBytes(3 * 1024 * 1024);
      const it0 = unhashed('r2-touched.bin', body);
      const transfer = randomUUID();
      const ch = new PeerChannel(await open(), 'drop');
      await ch.send('drop.offer', { transfer, total: body.length, items: [{ name: it0.name, size: it0.size, mtime_ms: it0.mtime_ms! - 5_000 }] });
      await ch.receive(['drop.accept']);
      await ch.writeBytes(randomBytes(1024 * 1024));
      await ch.close();
      await waitFor(() => existsSync(partialOf(inbox, transfer, 0)) && statSync(partialOf(inbox, transfer, 0)).size === 1024 * 1024);
      const sent = await resend(transfer, [it0]);
      assert.equal(sent.resumedFrom, 0);
      assert.deepEqual(readFileSync(join(inbox, 'r2-touched.bin')), body);
    });

    it('a file written while it is sent fails the send, saying so (its hash would be of torn bytes), and does not land', async () => {
      const it0 = unhashed('r2-written.bin', randomBytes(3 * 1024 * 1024));
      // An old time, so the write below moves it whatever the clock's grain.
      utimesSync(it0.path, new Date(2001, 0, 1), new Date(2001, 0, 1));
      it0.mtime_ms = Math.floor(statSync(it0.path).mtimeMs);
      let calls = 0;
      const writeInPlace = () => {
        // The second call: the first chunk is out.
        if (++calls !== 2) return;
        const fd = openSync(it0.path, 'r+');
        writeSync(fd, Buffer.from('torn'), 0, 4, 2 * 1024 * 1024 + 10);
        closeSync(fd);
      };
      const transfer = randomUUID();
      await assert.rejects(sendDrop(await open(), transfer, [it0], { onBytes: writeInPlace }), (err: unknown) => err instanceof VssError && err.code === 'IO' && /r2-written\.bin changed while it was sent: send it again/.test(err.message));
      assert.ok(calls >= 2);
      assert.equal(inboxFiles().includes('r2-written.bin'), false);
      await cancelDrop(await open(), transfer);
    });

    it('a file that cannot be read fails the send saying so (its fault, not the link\'s: not tried again)', async () => {
      // A folder opens for reading and fails its first read (EISDIR), as a disk's read error would.
      const dir = join(src, 'a-folder');
      mkdirSync(dir, { recursive: true });
      const transfer = randomUUID();
      await assert.rejects(sendDrop(await open(), transfer, [{ path: dir, root: src, name: 'unreadable.bin', size: 10, blake3: hex(Buffer.alloc(10)) }]),
        (err: unknown) => err instanceof VssError && err.code === 'IO' && /a-folder cannot be read to send: .*not a regular file/.test(err.message));
      await cancelDrop(await open(), transfer);
    });

    it('a file that changed since it was offered (its time) fails the send, saying so, before any byte of it goes', async () => {
      const it0 = { ...unhashed('r2-changed.bin', randomBytes(10_000)) };
      it0.mtime_ms = it0.mtime_ms! - 1;
      const transfer = randomUUID();
      await assert.rejects(sendDrop(await open(), transfer, [it0]), (err: unknown) => err instanceof VssError && err.code === 'IO' && /r2-changed\.bin changed while it was sent: send it again/.test(err.message));
      assert.equal(inboxFiles().includes('r2-changed.bin'), false);
      await cancelDrop(await open(), transfer);
    });
  });

  describe('a device that speaks /vss/drop/1.0.0 only (a vss before 2.0.0)', () => {
    let older: PeerNode;
    before(async () => {
      older = await PeerNode.start({ privateKey: await generateKeyPair('Ed25519'), listen: LOOPBACK, admit: (p) => p === nodeA.peerId, isPaired: (p) => p === nodeA.peerId });
      await libp2pOf(older).handle(V1, (stream) => serveDrop(stream, remoteA, { inbox: () => inbox, isPaired: () => true, log: pino({ level: 'silent' }) }));
      olderPeer = older.peerId;
    });
    after(async () => {
      await older?.stop();
    });

    it('receives files sent without their BLAKE3: the sender hashes them first and offers them on a fresh stream', async () => {
      const items = [unhashed('old-a.bin', randomBytes(2 * 1024 * 1024 + 9)), unhashed('old-b.txt', Buffer.from('to an older vss'))];
      const stream = await nodeA.open(older.addresses()[0]!, 'drop');
      assert.equal(stream.protocol, V1);
      let reopened = 0;
      const transfer = randomUUID();
      const sent = await sendDrop(stream, transfer, items, { reopen: async () => { reopened++; return nodeA.open(older.addresses()[0]!, 'drop'); } });
      assert.equal(reopened, 1);
      assert.deepEqual(sent.saved, ['old-a.bin', 'old-b.txt']);
      for (const it of items) assert.deepEqual(readFileSync(join(inbox, it.name)), readFileSync(it.path));
      assert.deepEqual(stateFiles().filter((n) => n.startsWith(transfer)), []);
    });

    it('is never asked to take files into a location (version 3): the sender refuses before offering, saying why', async () => {
      const stream = await nodeA.open(older.addresses()[0]!, 'drop');
      const into = { library: randomUUID(), location: randomUUID(), dir: '', onConflict: 'keep-both' };
      await assert.rejects(sendDrop(stream, randomUUID(), [unhashed('old-c.txt', Buffer.from('c'))], { into }),
        (err: unknown) => err instanceof DropRefused && /too old to take files into a location/.test(err.message));
    });

    it('an offer on 1.0.0 must hold every BLAKE3 (that version has no sum), and a sender of 1.0.0 is served as before', async () => {
      const openV1 = () => libp2pOf(nodeA).dialProtocol(multiaddr(nodeB.addresses()[0]!), V1);
      const ch = new PeerChannel(await openV1(), 'drop');
      assert.equal(ch.version, 1);
      await ch.send('drop.offer', { transfer: randomUUID(), total: 3, items: [{ name: 'old-nosum.txt', size: 3 }] });
      const m = await ch.receive(['drop.refused', 'drop.accept']);
      await ch.close();
      assert.equal(m.name, 'drop.refused');
      assert.match((m.body as { reason: string }).reason, /item 0: its checksum is not a BLAKE3/);

      const sent = await sendDrop(await openV1(), randomUUID(), [file('old-sender.txt', Buffer.from('from a vss of 1.0.0'))]);
      assert.deepEqual(sent.saved, ['old-sender.txt']);
      assert.equal(readFileSync(join(inbox, 'old-sender.txt'), 'utf8'), 'from a vss of 1.0.0');
    });
  });

  describe('an inbox short of space', { skip: loopSkipReason() }, () => {
    let vol: LoopVolume | undefined;
    after(() => vol?.remove());

    it('refuses an offer larger than its free space before any byte comes, saying how much is free', async () => {
      vol = makeLoopVolume({ sizeMiB: 16 });
      const was = inbox;
      inbox = join(vol.mountPoint!, 'inbox');
      mkdirSync(inbox);
      try {
        const body = randomBytes(1024);
        const ch = new PeerChannel(await open(), 'drop');
        await ch.send('drop.offer', { transfer: randomUUID(), total: 64 * 1024 * 1024, items: [{ name: 'huge.bin', size: 64 * 1024 * 1024, blake3: hex(body) }] });
        const m = await ch.receive(['drop.refused', 'drop.accept']);
        await ch.close();
        assert.equal(m.name, 'drop.refused');
        assert.match((m.body as { reason: string }).reason, /inbox has .* free, and this send needs 67\.1 MB|inbox has .* free, and this send needs/);
        assert.deepEqual(inboxFiles(), []);
        // What fits goes.
        const small = file('fits.bin', randomBytes(1024 * 1024));
        const sent = await sendDrop(await open(), randomUUID(), [small]);
        assert.deepEqual(sent.saved, ['fits.bin']);
      } finally {
        inbox = was;
      }
    });
  });
});

async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
