// The generic channel (@emotion-detector/core/channel) over a real MessageChannel: replies matched
// by id whatever their order, progress notes, the peer's own events, typed errors rebuilt, and a
// peer that hangs or goes away failing every request instead of leaving it waiting.
import { expect } from '@open-wc/testing';
import { Channel, serve, type Numbered } from '../src/channel/index.js';
import { EmotionDetectorError } from '../src/errors.js';
import { expectError } from './support/engine.js';

type Req = { type: 'echo'; value: number; delayMs?: number } | { type: 'fail' } | { type: 'count'; to: number } | { type: 'hang' } | { type: 'bytes'; data: Float32Array };
type Rep = { value?: number; length?: number };

/** A served peer on one end of a MessageChannel, the client on the other. */
function pair(options: ConstructorParameters<typeof Channel>[1] = {}) {
  const { port1, port2 } = new MessageChannel();
  const events: unknown[] = [];
  serve<Req, Rep, number>(
    port2,
    async (msg: Numbered<Req>, progress) => {
      switch (msg.type) {
        case 'echo':
          if (msg.delayMs) await new Promise((r) => setTimeout(r, msg.delayMs));
          return { value: msg.value };
        case 'fail':
          throw new EmotionDetectorError('invalid-model', 'not a model');
        case 'count':
          for (let i = 1; i <= msg.to; i++) progress(i);
          return { value: msg.to };
        case 'hang':
          return new Promise<Rep>(() => undefined);
        case 'bytes':
          return { length: msg.data.length };
      }
    },
    (other) => events.push(other),
  );
  const channel = new Channel<Req, Rep, number>(port1, { peer: 'the test peer', ...options });
  return { channel, port1, port2, events };
}

describe('channel', () => {
  it('answers each request by its id, in order, with the typed error of a failed one', async () => {
    const { channel, port1 } = pair();
    const replies = await Promise.all([
      channel.request({ type: 'echo', value: 1, delayMs: 50 }),
      channel.request({ type: 'echo', value: 2 }),
      channel.request({ type: 'fail' }).catch((e: unknown) => e),
      channel.request({ type: 'echo', value: 3 }),
    ]);
    expect(replies[0]).to.include({ value: 1 });
    expect(replies[1]).to.include({ value: 2 });
    expect(replies[2]).to.be.instanceOf(EmotionDetectorError).with.property('code', 'invalid-model');
    expect(replies[3]).to.include({ value: 3 });
    port1.close();
  });

  it('moves transferred buffers, reports progress, and passes on the peer own messages', async () => {
    const { channel, port2, events } = pair();
    const data = new Float32Array(1000);
    const r = await channel.request({ type: 'bytes', data }, { transfer: [data.buffer] });
    expect(r.length).to.equal(1000);
    expect(data.length, 'transferred, not copied').to.equal(0);
    const seen: number[] = [];
    await channel.request({ type: 'count', to: 3 }, { onProgress: (p) => seen.push(p) });
    expect(seen).to.deep.equal([1, 2, 3]);
    // Messages that answer nothing reach onEvent on the client, and onOther on the server.
    const got: unknown[] = [];
    const { channel: c2, port2: p2 } = pair({ onEvent: (e) => got.push(e) });
    p2.postMessage({ type: 'ready' });
    await new Promise((r) => setTimeout(r, 50));
    expect(got).to.deep.equal([{ type: 'ready' }]);
    c2.post({ hello: 1 });
    channel.post({ hello: 2 });
    await new Promise((r) => setTimeout(r, 50));
    expect(events).to.deep.equal([{ hello: 2 }]);
    port2.close();
  });

  it("a peer that does not answer in time fails the channel: 'worker-failed' now and later", async () => {
    const { channel } = pair();
    const t0 = performance.now();
    await expectError(channel.request({ type: 'hang' }, { timeoutMs: 300 }), 'worker-failed', /the test peer did not answer "hang" within 0.3 s/i);
    expect(performance.now() - t0).to.be.within(250, 5_000);
    expect(channel.failed?.code).to.equal('worker-failed');
    await expectError(channel.request({ type: 'echo', value: 1 }), 'worker-failed');
  });

  it("with timeoutFails: false only the late request rejects, with 'timeout'", async () => {
    const { channel } = pair({ timeoutFails: false });
    const late = channel.request({ type: 'echo', value: 1, delayMs: 600 }, { timeoutMs: 200 });
    await expectError(late, 'timeout', /did not answer "echo"/);
    expect(channel.failed).to.equal(undefined);
    // The peer answered later; its reply to a settled request is ignored, and the next is answered.
    expect(await channel.request({ type: 'echo', value: 2 }, { timeoutMs: 5_000 })).to.include({ value: 2 });
  });

  it("fail() and close() reject what is pending and what comes after, and end the peer", async () => {
    let ended = 0;
    const { channel } = pair({ end: () => ended++ });
    const pending = channel.request({ type: 'hang' }, { timeoutMs: 60_000 });
    channel.fail('the peer went away');
    await expectError(pending, 'worker-failed', /went away/);
    expect(ended).to.equal(1);
    const other = pair({ end: () => ended++ });
    const waiting = other.channel.request({ type: 'hang' }, { timeoutMs: 60_000 });
    await other.channel.close();
    await expectError(waiting, 'disposed');
    await expectError(other.channel.request({ type: 'echo', value: 1 }), 'disposed');
    expect(ended).to.equal(2);
  });

  it('an unreadable message fails the channel instead of leaving the request waiting', async () => {
    const { channel, port1 } = pair();
    const pending = channel.request({ type: 'hang' }, { timeoutMs: 60_000 });
    port1.onmessageerror?.(new MessageEvent('messageerror'));
    await expectError(pending, 'worker-failed', /could not be read/);
  });
});
