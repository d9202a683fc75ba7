import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import { EventBus } from '../../core/events.js';
import { VssError } from '../../core/errors.js';
import { streamed, type StreamOut } from './stream.js';

/**
 * A streamed call's status is its own: a refusal before the call says anything answers with the
 * refusal's status, however busy the library is meanwhile (another job's progress, a scan's end:
 * the events it forwards are anyone's). A real Fastify server over loopback.
 */
describe('a streamed answer\'s head', () => {
  const bus = new EventBus();
  let app: FastifyInstance;
  let base = '';
  const routes = new Map<string, (out: StreamOut) => Promise<unknown>>();

  before(async () => {
    app = Fastify();
    app.post('/:name', (req, reply) => streamed(req, reply, (out) => {
      out.forward(bus, ['job:', 'index:']);
      return routes.get((req.params as { name: string }).name)!(out);
    }));
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(() => app.close());

  const busy = () => {
    // Another job's progress and another scan's end, as the library says them while this call plans.
    bus.emit('job:progress', { job_id: 99, done: 1, total: 2 } as never);
    bus.emit('index:done', { location_id: 7 } as never);
  };

  it('a refusal after other work\'s events answers with its status, not 200', async () => {
    routes.set('refused', async () => {
      busy();
      await new Promise((r) => setImmediate(r));
      throw new VssError('POLICY', 'the destination is outside every location');
    });
    const res = await fetch(`${base}/refused`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
    assert.equal(res.status, 409, 'POLICY, as a call not streamed answers it');
    assert.match(await res.text(), /outside every location/);
  });

  it('a call that speaks answers 200 with its lines, the events forwarded before it after the head, progress before it dropped', async () => {
    routes.set('runs', async (out) => {
      busy();
      out.call('onQueued', 5);
      bus.emit('job:progress', { job_id: 5, done: 2, total: 2 } as never);
      return { copied: 1 };
    });
    const res = await fetch(`${base}/runs`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
    assert.equal(res.status, 200);
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(lines, [
      { event: 'index:done', payload: { location_id: 7 } },
      { call: 'onQueued', args: [5] },
      { event: 'job:progress', payload: { job_id: 5, done: 2, total: 2 } },
      { result: { copied: 1 } },
    ]);
  });
});
