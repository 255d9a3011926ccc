/** The users table of issue 5, generated on the benchmark's source server. */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';

export const USERS_DDL = `CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, phone text, first_name text, last_name text,
  ssn text, created_at timestamptz NOT NULL, balance numeric(12,2), bio text)`;

/** Rows per INSERT: small enough to report progress on 10M rows, large enough not to matter. */
const BATCH = 1_000_000;

function insertRows(from: number, to: number): string {
  return `INSERT INTO users
SELECT g, 'user' || g || '@mail' || (g % 97) || '.example.org', '+1 (' || lpad((g % 1000)::text, 3, '0') || ') 555-' || lpad((g % 10000)::text, 4, '0'),
  (ARRAY['John','Maria','Wei','Amélie','Olusegun','Sven','Priya','José'])[1 + g % 8], (ARRAY['Smith','García','Chen','Dubois','Adeyemi','Larsson','Patel','Müller'])[1 + (g / 8) % 8],
  lpad((g % 1000)::text, 3, '0') || '-' || lpad((g % 100)::text, 2, '0') || '-' || lpad((g % 10000)::text, 4, '0'),
  TIMESTAMPTZ '2020-01-01' + g * interval '17 seconds', (g % 100000) / 100.0,
  CASE WHEN g % 10 = 0 THEN NULL ELSE 'Loves hiking, coffee and databases; member since ' || (2000 + g % 24) END
FROM generate_series(${from}, ${to}) g`;
}

/**
 * Fills the source in batches, then builds the key: one index build after the
 * load is much faster than maintaining it row by row, and the end state is the
 * same table as USERS_DDL.
 */
export async function generateUsers(source: pg.Client, rows: number, progress: (message: string) => void): Promise<void> {
  const started = performance.now();
  const elapsed = (): string => `${((performance.now() - started) / 1000).toFixed(0)} s`;
  await source.query(USERS_DDL.replace(' PRIMARY KEY', ''));
  for (let from = 1; from <= rows; from += BATCH) {
    const to = Math.min(rows, from + BATCH - 1);
    await source.query(insertRows(from, to));
    progress(`generated ${to.toLocaleString('en-US')} of ${rows.toLocaleString('en-US')} rows (${elapsed()})`);
  }
  await source.query('ALTER TABLE users ADD PRIMARY KEY (id)');
  progress(`primary key built (${elapsed()})`);
  await source.query('VACUUM ANALYZE users');
  progress(`vacuumed and analyzed (${elapsed()})`);
}

/** Bytes of `COPY users TO STDOUT`, the unit of MB/s; also brings the table into the page cache before the first case. */
export async function copyTextBytes(source: pg.Client): Promise<number> {
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done();
    },
  });
  await pipeline(source.query(copyStreams.to('COPY users TO STDOUT')), sink);
  return bytes;
}

interface Sample {
  readonly id: string;
  readonly email: string;
  readonly phone: string | null;
  readonly last_name: string | null;
}

const SAMPLE_SQL = 'SELECT id::text AS id, email, phone, last_name FROM users WHERE id <= 20 ORDER BY id';

/**
 * Fails unless the target holds every row and the sample rows are masked (or
 * untouched) as the case expects: a benchmark of a sync that silently copied
 * clear text, or nothing, would measure the wrong thing.
 */
export async function checkTarget(source: pg.Client, target: pg.Client, rows: number, masked: boolean, label: string): Promise<void> {
  const count = Number((await target.query<{ n: string }>('SELECT count(*) AS n FROM users')).rows[0]?.n ?? -1);
  if (count !== rows) throw new Error(`${label}: the target holds ${count} rows, expected ${rows}`);
  const [before, after] = await Promise.all([source.query<Sample>(SAMPLE_SQL), target.query<Sample>(SAMPLE_SQL)]);
  if (after.rows.length !== before.rows.length) throw new Error(`${label}: the sample rows differ in number between source and target`);
  const pairs = before.rows.map((s, i) => ({ s, t: after.rows[i] as Sample }));
  if (!masked) {
    const changed = pairs.filter(({ s, t }) => s.email !== t.email || s.phone !== t.phone || s.last_name !== t.last_name);
    if (changed.length > 0) throw new Error(`${label}: unmasked copy changed row ${changed[0]?.s.id}`);
    return;
  }
  // Emails and phones are unique per row here, so a single clear value is a leak.
  const clear = pairs.filter(({ s, t }) => s.email === t.email || s.phone === t.phone);
  if (clear.length > 0) {
    throw new Error(
      `${label}: MASKING DID NOT APPLY: row ${clear[0]?.s.id} has email ${JSON.stringify(clear[0]?.t.email)} / phone ${JSON.stringify(clear[0]?.t.phone)} on the target, as on the source`,
    );
  }
  // Last names come from 8 values on the source, so a masked one may land on its original by chance; most must not.
  const sameLastName = pairs.filter(({ s, t }) => s.last_name === t.last_name).length;
  if (sameLastName > pairs.length / 2)
    throw new Error(`${label}: MASKING DID NOT APPLY to last_name: ${sameLastName} of ${pairs.length} sample rows unchanged`);
}
