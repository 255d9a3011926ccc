import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, isRetryable, withRetry } from '../../src/pg/retry.js';
import { runAttempts } from '../../src/backoff.js';

const pgError = (code: string) => Object.assign(new Error('x'), { code });

describe('retry', () => {
  it('retries connection-class and serialization failures only', () => {
    for (const code of ['08006', '08001', '40001', '40P01', '57P01', '57P03', '53300', 'ECONNRESET', 'ECONNREFUSED'])
      assert.ok(isRetryable(pgError(code)), code);
    for (const code of ['42601', '23505', '42501', '28P01', '3D000', '22P02']) assert.ok(!isRetryable(pgError(code)), code);
    assert.ok(!isRetryable(new Error('plain')));
    // node-postgres, for a session whose server restarted while it was idle.
    assert.ok(isRetryable(new Error('Client has encountered a connection error and is not queryable')));
    assert.ok(isRetryable(new Error('Connection terminated unexpectedly')));
    assert.ok(!isRetryable(new Error('Client was closed and is not queryable')), 'closed by pgtwin itself');
  });

  it('backs off exponentially with jitter, capped', () => {
    const policy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    assert.equal(
      backoffDelay(policy, 0, () => 0),
      50,
    );
    assert.equal(
      backoffDelay(policy, 0, () => 1),
      100,
    );
    assert.equal(
      backoffDelay(policy, 3, () => 1),
      800,
    );
    assert.equal(
      backoffDelay(policy, 10, () => 1),
      1000,
    );
  });

  it('gives up after the attempts and fails fast on the rest', async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(async () => (calls++, Promise.reject(pgError('08006'))), { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 }),
    );
    assert.equal(calls, 3);
    calls = 0;
    await assert.rejects(
      withRetry(async () => (calls++, Promise.reject(pgError('42601'))), { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 }),
    );
    assert.equal(calls, 1);
    calls = 0;
    const value = await withRetry(async () => (++calls < 2 ? Promise.reject(pgError('40001')) : 'ok'), {
      attempts: 3,
      baseDelayMs: 1,
      maxDelayMs: 1,
    });
    assert.deepEqual([value, calls], ['ok', 2]);
  });

  it('runs attempts of a long-running mode until done, through transient failures, counting failures in a row only', async () => {
    const transient = pgError('57P01');
    const policy = { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 };
    const waits: number[] = [];
    // Two failures, progress, two more, then done: progress reset the count, so three attempts in all never ran out.
    const script = ['fail', 'fail', 'progress-fail', 'fail', 'done'];
    let calls = 0;
    await runAttempts(
      async (progressed) => {
        const step = script[calls++];
        if (step === 'done') return true;
        if (step === 'progress-fail') progressed();
        throw transient;
      },
      { signal: new AbortController().signal, isTransient: isRetryable, policy, onRetry: (_error, delay) => waits.push(delay) },
    );
    assert.equal(calls, 5);
    assert.equal(waits.length, 4);

    // A permanent failure ends the loop with it; so do more transient ones in a row than the policy allows.
    calls = 0;
    const loop = { signal: new AbortController().signal, isTransient: isRetryable, policy };
    await assert.rejects(
      runAttempts(async () => (calls++, Promise.reject(pgError('42601'))), loop),
      { code: '42601' },
    );
    assert.equal(calls, 1);
    calls = 0;
    await assert.rejects(
      runAttempts(async () => (calls++, Promise.reject(transient)), loop),
      { code: '57P01' },
    );
    assert.equal(calls, 3);

    // An attempt that ends without being done runs again; a stop ends the loop, and a failure then is the stop's.
    const stop = new AbortController();
    calls = 0;
    await runAttempts(
      async () => {
        if (++calls === 3) {
          stop.abort();
          throw new Error('closed while stopping');
        }
        return false;
      },
      { ...loop, signal: stop.signal },
    );
    assert.equal(calls, 3);
    await assert.rejects(
      runAttempts(async () => Promise.reject(new Error('its own')), { ...loop, signal: stop.signal, failsAfterStop: () => true }),
      /its own/,
    );
  });
});
