/**
 * Errors of the twin's writes that are no bug but a difference between the
 * twin and the source that the change stream does not carry, turned into an
 * error that says what to do. Everything else is left as it is.
 */
import { PgtwinError } from '../errors.js';
import { sqlStateOf } from '../pg/retry.js';

const NO_PARTITION = /^no partition of relation "(.+)" found for row$/;

/**
 * A row of a partitioned table for which the twin has no partition: the
 * partition was added on the source after the twin's schema was made, and
 * logical replication does not carry DDL. Undefined for any other error.
 */
export function twinWriteError(error: unknown): PgtwinError | undefined {
  if (sqlStateOf(error) !== '23514' || !(error instanceof Error)) return undefined;
  const table = NO_PARTITION.exec(error.message)?.[1];
  if (table === undefined) return undefined;
  const detail = (error as { detail?: unknown }).detail;
  return new PgtwinError(
    'TWIN_PARTITION_MISSING',
    'schema',
    `The twin's partitioned table ${table} has no partition for a row the source sent: a partition added on the source after the twin's schema was made (logical replication does not carry it).`,
    {
      details: typeof detail === 'string' ? [detail] : [],
      cause: error,
      nextStep: `Create the partition on the twin as it is on the source (CREATE TABLE ... PARTITION OF ${table} FOR VALUES ..., with the bounds \`\\d+ ${table}\` shows on the source), then run the same command again: it resumes at the changes that failed, which the twin rolled back.`,
    },
  );
}
