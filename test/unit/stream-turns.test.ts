import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Turns } from '../../src/stream/turns.js';

describe('Turns: one operation at a time on the applier', () => {
  it('runs at once, synchronously, when nothing is queued', () => {
    const turns = new Turns();
    let ran = false;
    assert.equal(
      turns.run(() => {
        ran = true;
        return undefined;
      }),
      undefined,
    );
    assert.equal(ran, true);
  });

  it('queues behind an unfinished operation, in the order asked, and a failure does not stop the next', async () => {
    const turns = new Turns();
    const order: string[] = [];
    let release!: () => void;
    const first = turns.run(() => new Promise<void>((resolve) => (release = resolve)).then(() => void order.push('first')));
    const failing = turns.run(() => {
      order.push('failing');
      throw new Error('boom');
    });
    const third = turns.run(() => {
      order.push('third');
      return undefined;
    });
    assert.deepEqual(order, [], 'nothing ran while the first is unfinished');
    release();
    await first;
    await assert.rejects(failing ?? Promise.resolve(), /boom/);
    await third;
    assert.deepEqual(order, ['first', 'failing', 'third']);
    await turns.idle();
    assert.equal(
      turns.run(() => undefined),
      undefined,
      'synchronous again once everything finished',
    );
  });

  it('hands failures of background operations, synchronous or not, to the handler', async () => {
    const turns = new Turns();
    const failures: unknown[] = [];
    turns.background(
      () => {
        throw new Error('sync');
      },
      (e) => failures.push(e),
    );
    turns.background(
      () => Promise.reject(new Error('async')),
      (e) => failures.push(e),
    );
    await turns.idle();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      failures.map((e) => (e as Error).message),
      ['sync', 'async'],
    );
  });
});
