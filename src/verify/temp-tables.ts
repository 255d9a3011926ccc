/**
 * The leak check's working tables on the target: session-local, so other
 * sessions never see them and they vanish with the session even if the drop
 * at the end never runs. Created up front, because the scan runs in a READ
 * ONLY transaction where the server refuses DDL (it still allows writing into
 * temporary tables, which the kept-value check does).
 *
 * - CANDIDATES: (value, origin) per masked source column, for the check of a
 *   masked column against its own source values;
 * - LOOKUP: each value once, with the first masked column that holds it, so a
 *   value found in clear counts once even when several masked columns hold it;
 * - SOURCE_ROWS: (row key, digest of the value) of one masked source column,
 *   when a column has too many matches to look them up batch by batch.
 *
 * `C` collation: byte equality, and no "could not determine which collation"
 * error when compared with columns of other collations.
 */
import type { Client } from '../pg/connect.js';

export const CANDIDATES = 'pg_temp.pgtwin_leak_candidates';
export const LOOKUP = 'pg_temp.pgtwin_leak_lookup';
export const SOURCE_ROWS = 'pg_temp.pgtwin_leak_source_rows';

export async function createTempTables(target: Client): Promise<void> {
  await target.query(`CREATE TEMPORARY TABLE ${CANDIDATES} (value text COLLATE "C" NOT NULL, origin int4 NOT NULL)`);
  await target.query(`CREATE TEMPORARY TABLE ${LOOKUP} (value text COLLATE "C" NOT NULL, origin int4 NOT NULL)`);
  await target.query(`CREATE TEMPORARY TABLE ${SOURCE_ROWS} (k text COLLATE "C" NOT NULL, h text COLLATE "C" NOT NULL)`);
}

export async function dropTempTables(target: Client): Promise<void> {
  await target.query(`DROP TABLE IF EXISTS ${CANDIDATES}, ${LOOKUP}, ${SOURCE_ROWS}`);
}
