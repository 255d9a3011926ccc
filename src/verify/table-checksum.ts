/**
 * Order-independent fingerprint of a table's rows over chosen columns: the row
 * count and the sum of a 60-bit slice of each row's md5. A sum (not XOR) also
 * catches a row present twice. The session gets pgtwin's text forms (UTC,
 * ISO dates, hex bytea...: src/pg/session-settings.ts) so equal values render
 * as equal text on both servers, whatever the caller's session had.
 */
import type { Client } from '../pg/connect.js';
import { quoteIdent, quoteQualified, type QualifiedName } from '../pg/ident.js';
import { useTextForms } from '../pg/session-settings.js';

export interface TableChecksum {
  readonly rows: number;
  readonly checksum: string;
}

export interface ChecksumOptions {
  /**
   * Leave out legacy inheritance children, as the sync's `COPY (... FROM ONLY t)`
   * does; never for a partitioned table, whose rows all live in its children.
   */
  readonly only?: boolean;
  /** The same `where` filter the sync copied with (SQL, checked by the plan). */
  readonly where?: string | undefined;
}

export async function tableChecksum(
  client: Client,
  table: QualifiedName,
  columns: readonly string[],
  options: ChecksumOptions = {},
): Promise<TableChecksum> {
  const row = columns.length === 0 ? "''" : `ROW(${columns.map(quoteIdent).join(', ')})::text`;
  await useTextForms(client, 'session');
  const where = options.where === undefined ? '' : ` WHERE (${options.where})`;
  const result = await client.query<{ rows: string; checksum: string }>(
    `SELECT count(*)::text AS rows,
            coalesce(sum(('x' || substr(md5(${row}), 1, 15))::bit(60)::bigint::numeric), 0)::text AS checksum
     FROM ${options.only === true ? 'ONLY ' : ''}${quoteQualified(table)}${where}`,
  );
  const first = result.rows[0];
  return { rows: Number(first?.rows ?? 0), checksum: first?.checksum ?? '0' };
}
