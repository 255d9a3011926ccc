/**
 * The twin is a replica: its own triggers and rules never rewrite what the
 * source sent. Pagila's schema on both sides (a `last_updated` BEFORE UPDATE
 * trigger on most tables), plus, on the twin only, a BEFORE INSERT trigger
 * that restamps rows, an AFTER INSERT trigger and rules that write into a
 * side table: sync and follow leave the twin equal to the source byte for
 * byte and the side table empty.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { loadSample } from '../support/samples.js';
import { pgtwin } from '../support/cli.js';
import { loadSettings } from '../../src/config/index.js';
import { runFollow, type FollowSummary } from '../../src/follow/follow.js';

const TABLES = ['language', 'actor', 'category', 'country', 'city'];

/** The twin's own additions: none of them may touch what pgtwin writes. */
const TWIN_ONLY = `
  CREATE TABLE public.twin_side (n serial PRIMARY KEY, what text);
  CREATE FUNCTION public.twin_stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.last_update = timestamptz '1999-09-09 09:09:09+00'; RETURN NEW; END $$;
  CREATE FUNCTION public.twin_note() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO public.twin_side (what) VALUES (TG_TABLE_NAME || ' ' || TG_OP); RETURN NULL; END $$;
  CREATE TRIGGER twin_stamp BEFORE INSERT OR UPDATE ON public.actor FOR EACH ROW EXECUTE FUNCTION public.twin_stamp();
  CREATE TRIGGER twin_stamp BEFORE INSERT ON public.city FOR EACH ROW EXECUTE FUNCTION public.twin_stamp();
  CREATE TRIGGER twin_note AFTER INSERT OR UPDATE OR DELETE ON public.country FOR EACH ROW EXECUTE FUNCTION public.twin_note();
  CREATE TRIGGER twin_note_truncate AFTER TRUNCATE ON public.film_actor FOR EACH STATEMENT EXECUTE FUNCTION public.twin_note();
  CREATE RULE twin_category_insert AS ON INSERT TO public.category DO ALSO INSERT INTO public.twin_side (what) VALUES ('category rule ' || NEW.name);
  CREATE RULE twin_actor_update AS ON UPDATE TO public.actor DO ALSO INSERT INTO public.twin_side (what) VALUES ('actor rule ' || NEW.first_name);`;

async function snapshotOf(client: pg.Client, table: string): Promise<string> {
  const r = await client.query<{ text: string | null }>(
    `SELECT string_agg(t::text, E'\\n' ORDER BY t::text) AS text FROM public.${table} t`,
  );
  return r.rows[0]?.text ?? '';
}

async function sideRows(client: pg.Client): Promise<string[]> {
  return (await client.query<{ what: string }>('SELECT what FROM public.twin_side ORDER BY n')).rows.map((r) => r.what);
}

describe('the twin is a replica: its own triggers and rules never rewrite copied data', () => {
  let dbs: TestDatabases;
  let dir: string;
  const slot = `pgtwin_r_${randomBytes(4).toString('hex')}`;

  const assertTwinEqualsSource = async (): Promise<void> => {
    for (const table of TABLES)
      assert.equal(await snapshotOf(dbs.target, table), await snapshotOf(dbs.source, table), `public.${table} differs`);
    assert.deepEqual(await sideRows(dbs.target), []);
  };

  before(async () => {
    dbs = await createTestDatabases('replica');
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-replica-'));
    // Every table of pagila (most are empty): a selection of a few would be refused for the foreign keys into them.
    await writeFile(join(dir, 'pgtwin.yaml'), 'tables:\n  exclude: [public.twin_side]\n');
    await loadSample(dbs.source, 'pagila');
    await loadSample(dbs.target, 'pagila');
    await dbs.target.query(TWIN_ONLY);
    await dbs.source.query(`
      INSERT INTO public.language (language_id, name, last_update) VALUES (1, 'English', '2020-01-01 00:00:00+00'), (2, 'Italian', '2020-01-02 00:00:00+00');
      INSERT INTO public.actor (actor_id, first_name, last_name, last_update) SELECT g, 'first' || g, 'last' || g, timestamptz '2020-02-01 00:00:00+00' + g * interval '1 minute' FROM generate_series(1, 50) g;
      INSERT INTO public.category (category_id, name, last_update) VALUES (1, 'Action', '2020-03-01 00:00:00+00'), (2, 'Drama', '2020-03-01 00:00:00+00');
      INSERT INTO public.country (country_id, country, last_update) VALUES (1, 'Italy', '2020-04-01 00:00:00+00'), (2, 'Peru', '2020-04-01 00:00:00+00');
      INSERT INTO public.city (city_id, city, country_id, last_update) VALUES (1, 'Roma', 1, '2020-05-01 00:00:00+00'), (2, 'Lima', 2, '2020-05-01 00:00:00+00');
      CREATE PUBLICATION pgtwin FOR ALL TABLES WITH (publish_via_partition_root = true);`);
  });
  after(async () => {
    await dbs.source
      .query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1`, [slot])
      .catch(() => undefined);
    await dbs.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('sync: rows arrive as the source has them, and the twin-only triggers wrote nothing', async () => {
    const result = await pgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--yes'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    await assertTwinEqualsSource();
    // The triggers and rules are still there and enabled: only the load's sessions did not fire them.
    const enabled = await dbs.target.query(`SELECT count(*)::int AS n FROM pg_trigger WHERE tgname LIKE 'twin_%' AND tgenabled = 'O'`);
    assert.equal(enabled.rows[0]?.n, 4);
  });

  it('follow: inserts, updates (source last_update kept), deletes and a TRUNCATE through triggers and rules', async () => {
    const settings = await loadSettings({ cwd: dir, env: {}, overrides: { source: dbs.sourceUrl, target: dbs.targetUrl } });
    const controller = new AbortController();
    const done: Promise<FollowSummary> = runFollow({
      settings,
      env: {},
      signal: controller.signal,
      confirm: async () => true,
      slot,
      maxBatchDelayMs: 50,
      statusIntervalMs: 200,
    });
    done.catch(() => undefined);
    try {
      let failed: unknown;
      done.catch((error: unknown) => (failed = error));
      for (let i = 0; i < 300 && failed === undefined; i++) {
        const r = await dbs.target
          .query(`SELECT status FROM pgtwin.follow_state WHERE slot = $1`, [slot])
          .catch(() => ({ rows: [] as { status: string }[] }));
        if (r.rows[0]?.status === 'streaming') break;
        await sleep(100);
      }
      if (failed !== undefined) throw failed;
      await dbs.source.query(`
        INSERT INTO public.actor (actor_id, first_name, last_name, last_update) VALUES (51, 'new', 'actor', '2021-01-01 00:00:00+00');
        UPDATE public.actor SET last_name = last_name || '!' WHERE actor_id <= 10;
        UPDATE public.actor SET actor_id = actor_id + 100 WHERE actor_id = 20;
        DELETE FROM public.actor WHERE actor_id = 30;
        INSERT INTO public.category (category_id, name, last_update) VALUES (3, 'Comedy', '2021-01-01 00:00:00+00');
        INSERT INTO public.category (category_id, name) VALUES (1, 'Again') ON CONFLICT (category_id) DO UPDATE SET name = EXCLUDED.name;
        UPDATE public.category SET name = 'Thriller' WHERE category_id = 2;
        INSERT INTO public.country (country_id, country, last_update) VALUES (3, 'Chile', '2021-01-01 00:00:00+00');
        UPDATE public.country SET country = 'Italia' WHERE country_id = 1;
        INSERT INTO public.city (city_id, city, country_id, last_update) VALUES (3, 'Santiago', 3, '2021-01-01 00:00:00+00');
        UPDATE public.city SET city = 'Rome' WHERE city_id = 1;`);
      // The same key inserted twice in one transaction-less burst: the twin's upsert of a row it holds.
      await dbs.source.query(
        `BEGIN; DELETE FROM public.category WHERE category_id = 3; INSERT INTO public.category VALUES (3, 'Comedy', '2021-01-02 00:00:00+00'); COMMIT`,
      );
      await dbs.source.query(`UPDATE public.language SET name = 'Inglese' WHERE language_id = 1; TRUNCATE public.film_actor`);
      const deadline = Date.now() + 30_000;
      let last: unknown;
      while (Date.now() < deadline) {
        try {
          await assertTwinEqualsSource();
          last = undefined;
          break;
        } catch (error) {
          last = error;
          await sleep(200);
        }
      }
      if (last !== undefined) throw last;
    } finally {
      controller.abort(new Error('test stop'));
      await done;
    }
    // An update on the twin itself (not pgtwin) still fires them: they were never turned off.
    await dbs.target.query(`UPDATE public.actor SET first_name = 'local' WHERE actor_id = 1`);
    assert.deepEqual(await sideRows(dbs.target), ['actor rule local']);
    await dbs.target.query('DELETE FROM public.twin_side');
  });
});
