import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { pgtwin } from '../support/cli.js';
import { assertTablesEqual } from '../support/compare.js';
import { TYPE_MATRIX_DATA, TYPE_MATRIX_DDL, TYPE_MATRIX_TABLES } from '../support/type-matrix.js';

/**
 * On top of the sync issue's type matrix: what lives beside tables. A view, a
 * view over that view, a materialized view with an index, a function used by a
 * trigger, a function that reads a view, a table that stays unselected, and a
 * view over it that therefore cannot be created.
 */
const EXTRAS_DDL = `
CREATE TYPE inventory.status AS ENUM ('new', 'done');
CREATE DOMAIN inventory.status_dom AS inventory.status DEFAULT 'new' NOT NULL;
CREATE TYPE inventory.shelf AS (label text, states inventory.status_dom[]);
CREATE TABLE inventory.labels (
  id int PRIMARY KEY,
  status inventory.status_dom,
  shelf inventory.shelf,
  code text COLLATE "C" UNIQUE,
  title text NOT NULL CHECK (title <> '')
);
CREATE INDEX labels_title_lower ON inventory.labels (lower(title));
COMMENT ON TABLE inventory.labels IS 'Shelf labels';
COMMENT ON COLUMN inventory.labels.title IS 'What it''s for';
CREATE VIEW public.big_events AS SELECT id, at FROM public.events WHERE id > 2900;
CREATE VIEW public.big_event_days AS SELECT DISTINCT at FROM public.big_events;
CREATE MATERIALIZED VIEW public.bins_per_warehouse AS SELECT warehouse_id, count(*) AS n FROM inventory.bins GROUP BY warehouse_id;
CREATE UNIQUE INDEX bins_per_warehouse_id ON public.bins_per_warehouse (warehouse_id);
CREATE FUNCTION public.upper_name() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.note := upper(NEW.note); RETURN NEW; END $$;
CREATE TRIGGER empty_table_upper BEFORE INSERT ON public.empty_table FOR EACH ROW EXECUTE FUNCTION public.upper_name();
CREATE FUNCTION public.big_event_count() RETURNS bigint LANGUAGE sql STABLE BEGIN ATOMIC SELECT count(*) FROM public.big_events; END;
CREATE TABLE public.secret_notes (id int PRIMARY KEY, body text);
CREATE VIEW public.secret_view AS SELECT id FROM public.secret_notes;
`;

const EXTRAS_DATA = `
INSERT INTO inventory.labels VALUES (1, 'new', ROW('A1', '{new,done}'), 'a', 'First'), (2, 'done', NULL, 'b', 'Second');
REFRESH MATERIALIZED VIEW public.bins_per_warehouse;
`;

const ALL_TABLES = [...TYPE_MATRIX_TABLES, 'inventory.labels'];

interface SchemaJson {
  preData: Array<{ kind: string; object: string; sql: string }>;
  postData: Array<{ kind: string; object: string; sql: string }>;
  skipped: Array<{ object: string; reason: string }>;
  failed: unknown[];
}

describe('pgtwin schema: a twin from an empty database', () => {
  let dbs: TestDatabases;
  const endpoints = (): string[] => ['--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--exclude', 'secret_notes'];

  before(async () => {
    dbs = await createTestDatabases('schema_create');
    await dbs.source.query(TYPE_MATRIX_DDL + EXTRAS_DDL);
    await dbs.source.query(TYPE_MATRIX_DATA + EXTRAS_DATA);
  });
  after(async () => dbs.drop());

  it('creates every type, table, key, view, function and trigger, and lists what it cannot create', async () => {
    const result = await pgtwin(['schema', ...endpoints(), '--json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as SchemaJson;
    assert.deepEqual(report.failed, []);
    assert.deepEqual(
      report.skipped.map((s) => s.object),
      ['view public.secret_view'],
    );
    assert.match(report.skipped[0]?.reason ?? '', /needs table public\.secret_notes: not selected and not on the target/);

    const tables = await dbs.target.query<{ name: string }>(
      `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
    );
    assert.deepEqual(
      tables.rows.map((r) => r.name),
      [...ALL_TABLES].sort(),
    );
    const objects = await dbs.target.query<{ views: string[]; functions: string[]; triggers: string[]; partitions: string[] }>(`
      SELECT array(SELECT relname::text FROM pg_class WHERE relkind IN ('v', 'm') AND relnamespace = 'public'::regnamespace ORDER BY 1) AS views,
             array(SELECT proname::text FROM pg_proc WHERE pronamespace = 'public'::regnamespace ORDER BY 1) AS functions,
             array(SELECT tgname::text FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1) AS triggers,
             array(SELECT relid::text FROM pg_partition_tree('public.events') WHERE isleaf ORDER BY 1) AS partitions`);
    assert.deepEqual(objects.rows[0], {
      views: ['big_event_days', 'big_events', 'bins_per_warehouse'],
      functions: ['big_event_count', 'upper_name'],
      triggers: ['empty_table_upper'],
      partitions: ['events_2024', 'events_2025', 'events_default'],
    });
    const comment = await dbs.target.query(
      `SELECT obj_description('inventory.labels'::regclass, 'pg_class') AS t, col_description('inventory.labels'::regclass, 5) AS c`,
    );
    assert.deepEqual(comment.rows[0], { t: 'Shelf labels', c: "What it's for" });
  });

  it('then `pgtwin diff` reports no difference', async () => {
    const result = await pgtwin(['diff', ...endpoints()]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /no differences/);
  });

  it('a second run creates nothing: only what is missing is created', async () => {
    const result = await pgtwin(['schema', ...endpoints(), '--json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as SchemaJson;
    assert.deepEqual([...report.preData, ...report.postData], []);
  });

  it('then `pgtwin sync` copies identical data into the created tables, and the schema still matches', async () => {
    const sync = await pgtwin(['sync', ...endpoints(), '--yes', '--json']);
    assert.equal(sync.code, 0, sync.stderr);
    await assertTablesEqual(dbs, ALL_TABLES);
    const diff = await pgtwin(['diff', ...endpoints(), '--json']);
    assert.equal(diff.code, 0, diff.stdout);
    assert.equal((JSON.parse(diff.stdout) as { equal: boolean }).equal, true);
  });

  it('the created views, functions and triggers work on the twin', async () => {
    await dbs.target.query('REFRESH MATERIALIZED VIEW public.bins_per_warehouse');
    const [twin, prod] = await Promise.all(
      [dbs.target, dbs.source].map((c) =>
        c.query(
          `SELECT public.big_event_count()::int AS n, (SELECT count(*)::int FROM public.big_event_days) AS days, (SELECT sum(n)::int FROM public.bins_per_warehouse) AS bins`,
        ),
      ),
    );
    assert.deepEqual(twin?.rows[0], prod?.rows[0]);
    assert.deepEqual(twin?.rows[0], { n: 100, days: 100, bins: 200 });
    const inserted = await dbs.target.query(`INSERT INTO public.empty_table (note) VALUES ('shout') RETURNING note`);
    assert.equal(inserted.rows[0].note, 'SHOUT', 'the trigger fires on the twin');
  });
});
