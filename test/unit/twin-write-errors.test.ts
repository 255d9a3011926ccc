/** The twin's write errors that get an error of their own: a row with no partition to go to. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { twinWriteError } from '../../src/apply/twin-write-errors.js';

/** What node-postgres rejects with: an Error carrying the server's fields. */
function serverError(code: string, message: string, detail?: string): Error {
  return Object.assign(new Error(message), { code, detail });
}

describe('twin write errors', () => {
  it('a row with no partition in the twin names the table, says how to add the partition, and keeps the server error', () => {
    const cause = serverError(
      '23514',
      'no partition of relation "payment" found for row',
      'Partition key of the failing row contains (payment_date) = (2026-12-03 08:00:00+00).',
    );
    const error = twinWriteError(cause);
    assert.ok(error !== undefined);
    assert.equal(error.code, 'TWIN_PARTITION_MISSING');
    assert.equal(error.exitCode, 4);
    assert.match(error.message, /partitioned table payment has no partition/);
    assert.deepEqual(error.details, ['Partition key of the failing row contains (payment_date) = (2026-12-03 08:00:00+00).']);
    assert.match(error.nextStep ?? '', /PARTITION OF payment FOR VALUES .*run the same command again/);
    assert.equal(error.cause, cause);
  });

  it('leaves every other error as it is, other check violations included', () => {
    assert.equal(twinWriteError(serverError('23514', 'new row for relation "t" violates check constraint "c"')), undefined);
    assert.equal(twinWriteError(serverError('23505', 'duplicate key value violates unique constraint "t_pkey"')), undefined);
    assert.equal(twinWriteError(new Error('no partition of relation "payment" found for row')), undefined);
    assert.equal(twinWriteError('23514'), undefined);
  });
});
