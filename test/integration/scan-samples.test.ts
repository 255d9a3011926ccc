/**
 * `pgtwin init` on public sample databases nobody here wrote (chinook,
 * northwind, pagila), as a user runs it: init, then `sync --yes` with the
 * config exactly as written (strict mode: every rule must pass the plan's
 * checks and every column be decided), then `verify --leaks`. Checks that the
 * columns that hold personal data are found with the right kind, that the
 * masked values keep their column's shape, and that nothing leaks.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pgtwin, type CliResult } from '../support/cli.js';
import { TEST_PASSWORD } from '../support/constants.js';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { loadSample, PAGILA_ROWS, type SampleName } from '../support/samples.js';

const SECRET = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const ENV = { PRODUCTION_PASSWORD: TEST_PASSWORD, TWIN_PASSWORD: TEST_PASSWORD, PGTWIN_SECRET: SECRET };

interface ScanJson {
  tables: Array<{
    table: string;
    columns: Array<{
      column: string;
      findings: Array<{ kind: string; evidence: string[] }>;
      decision: { kind: string; rule?: { strategy: string; options: Record<string, unknown> } } | null;
    }>;
  }>;
}
interface VerifyJson {
  ok: boolean;
  leaks: { leaks: number; findings: Array<{ kind: string; table: string; column: string; origin: string; count: number }> };
}

/** Pagila's rows, less a function that names a table's row type: creating it is issue 13 item 2, not what this file tests. */
const PAGILA_ROWS_WITHOUT_REWARDS = `${PAGILA_ROWS}
DROP FUNCTION public.rewards_report(integer, numeric);`;

/**
 * Whole-value coincidences between a masked column and a column that holds no
 * personal data, which verify --leaks reports because it matches whole values:
 * an album called "Frank" and a customer called Frank, the composer Steve
 * Harris and a customer named Harris, the city and the state of Dublin, the
 * city-state of Singapore, sales territories named after cities (and
 * numbered by zip code). Masking album titles or country names to silence them
 * would make the twin useless; any other leak fails the test.
 */
const COINCIDENCES: Readonly<Record<SampleName, readonly string[]>> = {
  chinook: [
    'public.album.title <- public.customer.first_name',
    'public.track.name <- public.customer.first_name',
    'public.track.name <- public.invoice.billing_city',
    'public.track.name <- public.customer.city',
    'public.track.composer <- public.customer.last_name',
    'public.customer.state <- public.invoice.billing_city',
    'public.customer.state <- public.customer.city',
    'public.invoice.billing_state <- public.invoice.billing_city',
    'public.invoice.billing_state <- public.customer.city',
  ],
  northwind: [
    'public.suppliers.country <- public.suppliers.city',
    'public.territories.territory_description <- public.orders.ship_city',
    'public.territories.territory_description <- public.employees.city',
    'public.territories.territory_description <- public.suppliers.city',
    'public.territories.territory_description <- public.customers.city',
    'public.territories.territory_id <- public.employees.postal_code',
    'public.employee_territories.territory_id <- public.employees.postal_code',
  ],
  pagila: [],
};

/** `T6G 2C7` -> `?#? #?#`, in SQL. */
const shape = (column: string): string => `regexp_replace(regexp_replace(${column}, '[0-9]', '#', 'g'), '[[:alpha:]]', '?', 'g')`;

describe('init, sync and verify on public sample databases', () => {
  const outputs: CliResult[] = [];
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-samples-'));
  });
  after(async () => {
    const printed = outputs.map((o) => o.stdout + o.stderr).join('\n');
    assert.ok(!printed.includes(TEST_PASSWORD), 'the password was printed');
    await rm(dir, { recursive: true, force: true });
  });

  /** Loads the sample, runs init, sync and verify; returns what the checks need. */
  async function twin(name: SampleName): Promise<{
    dbs: TestDatabases;
    kinds: Map<string, string>;
    rules: Map<string, { strategy: string; options: Record<string, unknown> } | undefined>;
    leaks: VerifyJson['leaks'];
    config: string;
  }> {
    const dbs = await createTestDatabases(`samples_${name}`);
    try {
      await loadSample(dbs.source, name);
      if (name === 'pagila') await dbs.source.query(PAGILA_ROWS_WITHOUT_REWARDS);
      return { dbs, ...(await initSyncVerify(name, dbs)) };
    } catch (error) {
      await dbs.drop();
      throw error;
    }
  }

  async function initSyncVerify(
    name: SampleName,
    dbs: TestDatabases,
  ): Promise<{
    kinds: Map<string, string>;
    rules: Map<string, { strategy: string; options: Record<string, unknown> } | undefined>;
    leaks: VerifyJson['leaks'];
    config: string;
  }> {
    const work = await mkdtemp(join(dir, `${name}-`));
    const run = async (argv: string[]): Promise<CliResult> => {
      const result = await pgtwin(argv, { cwd: work, env: ENV });
      outputs.push(result);
      return result;
    };
    const init = await run(['init', '--from', dbs.sourceUrl, '--to', dbs.targetUrl]);
    assert.equal(init.code, 0, init.stderr);
    const config = await readFile(join(work, 'pgtwin.yaml'), 'utf8');
    const sync = await run(['sync', '--yes']);
    assert.equal(sync.code, 0, `sync with the config as written: ${sync.stderr}`);
    const verify = await run(['verify', '--leaks', '--json']);
    const report = JSON.parse(verify.stdout) as VerifyJson;
    const scan = await run(['scan', '--json']);
    assert.equal(scan.code, 0, scan.stderr);
    const kinds = new Map<string, string>();
    const rules = new Map<string, { strategy: string; options: Record<string, unknown> } | undefined>();
    for (const table of (JSON.parse(scan.stdout) as ScanJson).tables) {
      for (const column of table.columns) {
        const key = `${table.table.replace(/^public\./, '')}.${column.column}`;
        kinds.set(key, column.findings[0]?.kind ?? 'none');
        rules.set(key, column.decision?.kind === 'configured' ? column.decision.rule : undefined);
      }
    }
    return { kinds, rules, leaks: report.leaks, config };
  }

  function assertOnlyCoincidences(name: SampleName, leaks: VerifyJson['leaks']): void {
    const found = leaks.findings.map((f) => `${f.kind} ${f.table}.${f.column} <- ${f.origin}`);
    const unexpected = found.filter((f) => !COINCIDENCES[name].some((c) => f === `in-clear ${c}`));
    assert.deepEqual(unexpected, [], `leaks other than dictionary coincidences in ${name}`);
  }

  it('chinook: company, fax, postal codes and the rest are masked with values of the same shape; artist and track names are not personal names', async () => {
    const { dbs, kinds, rules, leaks } = await twin('chinook');
    try {
      assert.equal(kinds.get('customer.company'), 'company');
      assert.deepEqual(rules.get('customer.company'), { strategy: 'fake', options: { kind: 'company' } });
      assert.equal(kinds.get('employee.fax'), 'phone');
      assert.equal(rules.get('employee.fax')?.strategy, 'phone');
      assert.equal(kinds.get('customer.postal_code'), 'postcode');
      assert.equal(kinds.get('invoice.billing_postal_code'), 'postcode');
      // Every employee lives in Canada: one shape, filled with random letters and digits.
      assert.deepEqual(rules.get('employee.postal_code'), { strategy: 'fake', options: { kind: 'postcode', format: '?#? #?#' } });
      for (const column of ['artist.name', 'track.name', 'genre.name', 'playlist.name', 'track.composer'])
        assert.equal(kinds.get(column), 'none', column);
      assertOnlyCoincidences('chinook', leaks);

      // Same shape and length as the source, row by row; a different value.
      for (const [table, column, key] of [
        ['customer', 'postal_code', 'customer_id'],
        ['employee', 'postal_code', 'employee_id'],
        ['employee', 'fax', 'employee_id'],
        ['customer', 'phone', 'customer_id'],
      ] as const) {
        const source = await dbs.source.query<{ k: number; v: string; s: string }>(
          `SELECT ${key} AS k, ${column} AS v, ${shape(column)} AS s FROM ${table} WHERE ${column} IS NOT NULL ORDER BY 1`,
        );
        const target = new Map(
          (
            await dbs.target.query<{ k: number; v: string; s: string }>(
              `SELECT ${key} AS k, ${column} AS v, ${shape(column)} AS s FROM ${table} ORDER BY 1`,
            )
          ).rows.map((r) => [r.k, r]),
        );
        assert.ok(source.rows.length > 0);
        for (const row of source.rows) {
          assert.equal(target.get(row.k)?.s, row.s, `${table}.${column} keeps the shape of row ${row.k}`);
          assert.notEqual(target.get(row.k)?.v, row.v, `${table}.${column} of row ${row.k} is masked`);
        }
      }
    } finally {
      await dbs.drop();
    }
  });

  it('northwind: notes that name people, contact names (not addresses), companies, home pages and ship-to names are masked', async () => {
    const { dbs, kinds, rules, leaks } = await twin('northwind');
    try {
      assert.equal(kinds.get('employees.notes'), 'free_text');
      assert.equal(rules.get('employees.notes')?.strategy, 'lorem');
      assert.equal(kinds.get('customers.contact_name'), 'name');
      assert.equal(rules.get('customers.contact_name')?.strategy, 'name');
      assert.equal(kinds.get('suppliers.contact_name'), 'name');
      assert.equal(kinds.get('customers.company_name'), 'company');
      assert.equal(kinds.get('orders.ship_name'), 'name');
      assert.equal(kinds.get('suppliers.homepage'), 'url');
      assert.equal(kinds.get('employees.photo_path'), 'url');
      assert.equal(kinds.get('suppliers.fax'), 'phone');
      assert.equal(kinds.get('employees.home_phone'), 'phone');
      assert.equal(kinds.get('customers.postal_code'), 'postcode');
      for (const column of ['categories.description', 'products.product_name', 'customers.contact_title', 'region.region_description'])
        assert.equal(kinds.get(column), 'none', column);
      assertOnlyCoincidences('northwind', leaks);
      // lorem keeps each note's length, and nothing of it.
      const notes = async (db: TestDatabases['source']): Promise<string[]> =>
        (await db.query<{ notes: string }>('SELECT notes FROM employees ORDER BY employee_id')).rows.map((r) => r.notes);
      const [before, masked] = [await notes(dbs.source), await notes(dbs.target)];
      assert.deepEqual(
        masked.map((n) => n.length),
        before.map((n) => n.length),
      );
      assert.ok(masked.every((n, i) => n !== before[i] && !/Nancy|Andrew|Janet/.test(n)));
    } finally {
      await dbs.drop();
    }
  });

  it('pagila: usernames, passwords, emails and five-digit postal codes are masked, and nothing leaks', async () => {
    const { dbs, kinds, rules, leaks, config } = await twin('pagila');
    try {
      assert.equal(kinds.get('staff.username'), 'username');
      assert.deepEqual(rules.get('staff.username'), { strategy: 'fake', options: { kind: 'username' } });
      assert.equal(kinds.get('staff.password'), 'secret');
      assert.equal(kinds.get('customer.email'), 'email');
      assert.equal(kinds.get('address.address2'), 'address');
      assert.equal(kinds.get('address.phone'), 'phone');
      assert.deepEqual(rules.get('address.postal_code'), { strategy: 'fake', options: { kind: 'postcode', format: '#####' } });
      assert.equal(kinds.get('film.description'), 'none');
      assert.match(
        config,
        /# postcode \(high\): column name `postal_code` suggests a postal code; rule: 6 of 6 sampled values have the postal code shape `#####`/,
      );
      assert.deepEqual(leaks.findings, []);
      assert.equal(leaks.leaks, 0);
    } finally {
      await dbs.drop();
    }
  });
});
