/**
 * A home's internet link, between the home device and the box: a TCP proxy that lets each
 * direction through at RATE bytes a second, each byte DELAY ms late (a token bucket and a delay
 * line; TCP backpressure holds the sender). Only the home's connection to the box goes through it,
 * so everything relayed to and from the home crosses it, as it would cross a real uplink.
 *
 *   node link.mjs <box tcp port> <rate MiB/s> <one-way delay ms>   -> {"ready":"link","port":N}
 */
import net from 'node:net';

const [target, rateMiB, delayMs] = process.argv.slice(2).map(Number);
const rate = rateMiB * 1024 * 1024;
const SLICE = 16 * 1024;

/** Copy FROM to TO at RATE, each slice DELAY ms late, in order; FROM is paused while too much waits. */
function paced(from, to) {
  const queue = []; // { buf, due } in order, due never decreasing
  let queued = 0, leaveAt = 0, timer, ended = false;
  const pump = () => {
    timer = undefined;
    const now = Date.now();
    while (queue.length > 0 && queue[0].due <= now) {
      const { buf } = queue.shift();
      queued -= buf.length;
      to.write(buf);
    }
    if (queued < 4 * SLICE && from.isPaused()) from.resume();
    if (queue.length > 0) timer = setTimeout(pump, queue[0].due - now);
    else if (ended) to.end();
  };
  from.on('data', (chunk) => {
    for (let off = 0; off < chunk.length; off += SLICE) {
      const buf = Buffer.from(chunk.subarray(off, off + SLICE));
      // Leaves once the link has sent what is before it, at RATE; arrives DELAY later.
      leaveAt = Math.max(leaveAt, Date.now()) + (buf.length / rate) * 1000;
      queue.push({ buf, due: leaveAt + delayMs });
      queued += buf.length;
    }
    if (queued > 16 * SLICE) from.pause();
    if (!timer) pump();
  });
  from.on('end', () => { ended = true; if (!timer) pump(); });
  from.on('error', () => to.destroy());
}

const server = net.createServer((inbound) => {
  const outbound = net.connect(target, '127.0.0.1');
  inbound.setNoDelay(true);
  outbound.setNoDelay(true);
  paced(inbound, outbound);
  paced(outbound, inbound);
  outbound.on('error', () => inbound.destroy());
  inbound.on('error', () => outbound.destroy());
  inbound.on('close', () => outbound.destroy());
  outbound.on('close', () => inbound.destroy());
});
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ ready: 'link', port: server.address().port }) + '\n'));
process.on('SIGTERM', () => process.exit(0));
