import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withRetry } from '../../src/store/retry.js';

const policy = { attempts: 3, firstDelayMs: 1, maxDelayMs: 2 };
const transient = (error: unknown): boolean => error instanceof Error && error.message === 'blip';

describe('store retries', () => {
  it('retries a transient failure and returns the first success', async () => {
    const attempts: number[] = [];
    const result = await withRetry(
      async (attempt) => {
        attempts.push(attempt);
        if (attempt < 3) throw new Error('blip');
        return 'done';
      },
      transient,
      policy,
    );
    assert.equal(result, 'done');
    assert.deepEqual(attempts, [1, 2, 3]);
  });

  it('gives up after the last attempt with the last error, and never retries a lasting failure', async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          throw new Error('blip');
        },
        transient,
        policy,
      ),
      /blip/,
    );
    assert.equal(calls, 3);
    calls = 0;
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          throw new Error('denied');
        },
        transient,
        policy,
      ),
      /denied/,
    );
    assert.equal(calls, 1);
  });

  it('stops waiting when aborted', async () => {
    const controller = new AbortController();
    let calls = 0;
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          controller.abort();
          throw new Error('blip');
        },
        transient,
        { attempts: 5, firstDelayMs: 60_000, maxDelayMs: 60_000 },
        controller.signal,
      ),
      /blip/,
    );
    assert.equal(calls, 1);
  });
});
