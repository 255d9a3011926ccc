import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { Ticker } from '../../src/stream/ticker.js';

describe('Ticker: the periodic duties of the stream loop on one timer', () => {
  it('runs each duty at its own interval, checked as often as the shortest needs', () => {
    mock.timers.enable({ apis: ['setInterval'] });
    try {
      let clock = 0;
      const runs = { batch: 0, status: 0, sequences: 0 };
      const ticker = new Ticker(() => clock)
        .every(20, () => runs.batch++)
        .every(100, () => runs.status++)
        .every(500, () => runs.sequences++);
      ticker.start();
      for (let i = 0; i < 50; i++) {
        clock += 20;
        mock.timers.tick(20);
      }
      assert.deepEqual(runs, { batch: 50, status: 10, sequences: 2 });
      ticker.stop();
      clock += 1000;
      mock.timers.tick(1000);
      assert.deepEqual(runs, { batch: 50, status: 10, sequences: 2 }, 'nothing runs once stopped');
    } finally {
      mock.timers.reset();
    }
  });

  it('runs a duty late rather than never when a tick comes late', () => {
    mock.timers.enable({ apis: ['setInterval'] });
    try {
      let clock = 0;
      let status = 0;
      const ticker = new Ticker(() => clock).every(20, () => undefined).every(100, () => status++);
      ticker.start();
      // The event loop was busy: the ticks that come find the clock well past the due time.
      clock += 170;
      mock.timers.tick(20);
      assert.equal(status, 1);
      clock += 20;
      mock.timers.tick(20);
      assert.equal(status, 1, 'the next one is an interval after the late run, not two at once');
      ticker.stop();
    } finally {
      mock.timers.reset();
    }
  });
});
