import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  builtinRegistry,
  checkMasks,
  compileMasks,
  MaskingKey,
  STRATEGY_EXAMPLES,
  type StrategyExample,
} from '../../src/anonymize/index.js';
import { classifyType, lengthLimit } from '../../src/anonymize/types.js';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';

/**
 * Every built-in strategy's outputs, written into a real column of the type
 * its example names. The unit tests check formats with regular expressions;
 * only PostgreSQL's own input functions can say that `2024-02-29 23:59:59+05:30`
 * shifted, a denormal float scaled, or a cidr with permuted bits is a value the
 * target's COPY accepts. Injective strategies must also keep distinct inputs
 * distinct there, since they are what unique and referenced columns rely on.
 */

const KEY = new MaskingKey(Buffer.from('3f8a1c5e7b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f2a4c6e8b0d1f3a', 'hex'));

// Columns of types the examples do not cover, and rules the examples leave out.
const EXTRA_CASES: readonly StrategyExample[] = [
  { strategy: 'hash', options: { length: 16 }, type: 'character(16)', sampleInputs: ['token-1', 'token-2', 'abcdefghijklmnop'] },
  {
    strategy: 'credit_card',
    options: { keep_last4: true },
    type: 'character(16)',
    sampleInputs: ['4111111111111111', '5500000000000004', '6011000000000004'],
  },
  { strategy: 'partial', options: {}, type: 'character(16)', sampleInputs: ['4111111111111111', 'abc             '] },
  { strategy: 'lorem', options: {}, type: 'character(16)', sampleInputs: ['Private notes...', 'x'] },
  { strategy: 'hash', options: { length: 12 }, type: 'character varying(12)', sampleInputs: ['token-1', 'token-2', 'token-3'] },
  { strategy: 'digits', options: { keep_first: 3 }, type: 'character varying(11)', sampleInputs: ['123-45-6789', '987-65-4321'] },
  {
    strategy: 'ip',
    options: {},
    type: 'cidr',
    sampleInputs: ['10.1.0.0/16', '192.168.1.0/24', '2001:db8::/32', '1.2.3.4/32', '::/0', '0.0.0.0/0'],
  },
  {
    strategy: 'email',
    options: { keep_domain: true },
    type: 'character varying(40)',
    sampleInputs: ['ab@example.org', 'ab@a-rather-long-company-domain.example', 'x@y.z', 'no-at-sign'],
  },
  {
    strategy: 'date',
    options: { days: 365 },
    type: 'timestamp without time zone',
    sampleInputs: ['2023-12-31 23:59:59.999999', '2024-01-01 00:00:00'],
  },
  { strategy: 'number', options: {}, type: 'numeric(5,3)', sampleInputs: ['99.999', '-99.999', '0.001', '10.500'] },
  {
    strategy: 'uuid',
    options: {},
    type: 'character varying(36)',
    sampleInputs: ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '017f22e279b07cc398c4dc0c0c07398f'],
  },
  {
    strategy: 'constant',
    options: { value: '00000000-0000-4000-8000-000000000000' },
    type: 'uuid',
    sampleInputs: ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
  },
];

const CASES: readonly StrategyExample[] = [...STRATEGY_EXAMPLES, ...EXTRA_CASES];

const INTEGER_EXTRAS: Readonly<Record<string, readonly string[]>> = {
  smallint: ['-1', '-100', '-32767', '1', '10'],
  integer: ['-1', '-999999999', '-2147483647', '1999999999', '7'],
  bigint: ['-1', '-1000000000000000000', '-9223372036854775807', '9000000000000000000', '7'],
};

const NUMERIC_EXTRAS: Readonly<Record<string, readonly string[]>> = {
  'numeric(12,2)': ['-9999999999.99', '-1234.56', '0.01', '100.00'],
  numeric: ['-12345678901234567890.123456789', '0.000000001', '-7', '100'],
  real: ['-1.5', '-3.4028235e+38', '1.1754944e-38', '-1e-45', '123456.79'],
  'double precision': ['-0.1', '-1.7976931348623157e+308', '2.2250738585072014e-308', '-5e-324', '123456.789'],
  'numeric(5,3)': ['-0.001', '99.000'],
};

// Year boundaries, and the first and last day each type can hold.
const DATE_EXTRAS = ['2023-12-31', '2024-01-01', '1999-12-31', '2000-01-01', '1582-10-15', '9999-12-31', '4714-11-24 BC', '5874897-12-31'];
const TIMESTAMP_EXTRAS = [
  '2023-12-31 23:59:59.999999',
  '2024-01-01 00:00:00',
  '1999-12-31 23:59:59',
  '2000-01-01 00:00:00.000001',
  '9999-12-31 23:59:59.999999',
  '4714-11-24 00:00:00 BC',
  '294276-12-31 23:59:59.999999',
];
const TIMESTAMPTZ_EXTRAS = [
  '2024-12-31 23:59:59.123456+00',
  '2025-01-01 00:00:00.000001-08',
  '2023-12-31 23:59:59.999999+14',
  '1999-12-31 23:59:59.5+05:45',
  '1900-01-01 00:00:00+00:19:32',
  '4714-11-24 00:00:00+00 BC',
  '294276-12-31 23:59:59.999999+00',
];

const INET_EXTRAS = [
  '2001:db8:85a3::8a2e:370:7334',
  'fe80::1/10',
  'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128',
  '::',
  '255.255.255.255',
  '10.0.0.1/8',
];
const CIDR_EXTRAS = ['::/0', '0.0.0.0/0', '2001:db8:abcd:12::/64', '172.16.0.0/12', 'fe80::/10', '255.255.255.255/32'];
const UUID_EXTRAS = [
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
  'F81D4FAE-7DEC-41D0-A765-00A0C91E6BF6',
];

const JSON_EXTRAS: Readonly<Record<string, readonly string[]>> = {
  // Paths $.email, $.contact.phone, $.tags[*], $.age: nested, escaped, wrong-typed and missing members.
  '$.email': [
    '{"email": "Zo\\u00eb@B\\u00fccher.de", "contact": {"phone": "+49 (0) 151 1234-5678", "fax": null}, "tags": ["a\\"b", "\\u00e9", ""], "age": -3.5e2, "extra": {"deep": {"deeper": [1, [2, [3, {"email": "kept@x.y"}]]]}}}',
    '{"email": 42, "age": "forty", "tags": "not a list", "contact": {"phone": {"nested": "object"}}}',
    '{"email": true, "age": -0.5, "tags": [null, 1, {"k": "v"}]}',
    '[{"email": "x@y.z"}]',
    '"just a string"',
  ],
  '$.name': [
    '{"name": "Zo\\u00eb \\"Z\\" \\u00dcnal", "nested": {"name": "inner"}}',
    '{"name": null}',
    '{"name": ["a", "list"]}',
    '{"name": "a", "name": "b"}',
  ],
};

/** A value that fills a varchar(n)/char(n) exactly, made from the example's own inputs. */
function filled(samples: readonly string[], length: number): string {
  const base = Array.from(samples.filter((s) => s !== '').join(' ') || 'x');
  let chars = base;
  while (chars.length < length) chars = [...chars, ' ', ...base];
  return chars.slice(0, length).join('');
}

/** Edge cases of the example's type on top of its own inputs. */
function extraInputs(example: StrategyExample): string[] {
  const type = example.type.toLowerCase();
  switch (classifyType(type)) {
    case 'text': {
      if (example.strategy === 'ip') return INET_EXTRAS;
      if (example.strategy === 'uuid') return ['', ...UUID_EXTRAS];
      const max = lengthLimit(type);
      if (max === undefined) return ['', 'x'.repeat(10000)];
      // Characters, not bytes: a varchar(n) holds n accented letters or emoji too.
      return ['', filled(example.sampleInputs, max), 'é'.repeat(max), '😀'.repeat(max)];
    }
    case 'integer':
      return [...(INTEGER_EXTRAS[type] ?? [])];
    case 'numeric':
      return [...(NUMERIC_EXTRAS[type] ?? [])];
    case 'date':
      return DATE_EXTRAS;
    case 'timestamp':
      return type.includes('with time zone') ? TIMESTAMPTZ_EXTRAS : TIMESTAMP_EXTRAS;
    case 'inet':
      return type === 'cidr' ? CIDR_EXTRAS : INET_EXTRAS;
    case 'uuid':
      return UUID_EXTRAS;
    case 'json': {
      const first = Object.keys(example.options['paths'] ?? {})[0];
      return first === undefined ? [] : [...(JSON_EXTRAS[first] ?? [])];
    }
    default:
      return [];
  }
}

interface Masked {
  readonly example: number;
  readonly input: string | null;
  readonly output: string | null;
}

function describeCase(example: StrategyExample): string {
  return `${example.strategy} ${JSON.stringify(example.options)} on ${example.type}`;
}

/** Whether the rule may mask a unique column: the plan-time check says so. */
function isInjective(example: StrategyExample, rowColumns: readonly string[]): boolean {
  const rules = new Map([['v', { strategy: example.strategy, options: example.options }]]);
  const columns = [{ name: 'v', type: example.type }, ...rowColumns.map((name) => ({ name, type: 'text' }))];
  return checkMasks(rules, columns, { table: 'public.t', uniqueKeys: [['v']] }).length === 0;
}

describe('built-in strategies write values their column types accept', () => {
  let dbs: TestDatabases;
  /** format_type text -> table holding that type's outputs. */
  const tables = new Map<string, string>();

  before(async () => {
    dbs = await createTestDatabases('strategy_columns');
    for (const type of new Set(CASES.map((c) => c.type))) {
      const table = `masked_${tables.size}`;
      tables.set(type, table);
      // input as text: the sample's own spelling, cast to the type only to compare values.
      await dbs.target.query(`CREATE TABLE ${table} (example int NOT NULL, input text, output ${type})`);
    }
  });
  after(async () => dbs.drop());

  it('every registered strategy has an example (a new strategy must add one to STRATEGY_EXAMPLES)', () => {
    const covered = new Set(STRATEGY_EXAMPLES.map((e) => e.strategy));
    assert.deepEqual(
      builtinRegistry()
        .names()
        .filter((name) => !covered.has(name)),
      [],
    );
    const known = new Set(builtinRegistry().names());
    assert.deepEqual(
      STRATEGY_EXAMPLES.filter((e) => !known.has(e.strategy)).map((e) => e.strategy),
      [],
    );
  });

  it('inserts every output into a column of the example type, and injective rules keep distinct inputs distinct', async () => {
    const failures: string[] = [];
    const injective: number[] = [];
    let inserted = 0;

    for (const [index, example] of CASES.entries()) {
      const rowColumns = Object.keys(example.row ?? {});
      const columns = [{ name: 'v', type: example.type }, ...rowColumns.map((name) => ({ name, type: 'text' }))];
      const rules = new Map([['v', { strategy: example.strategy, options: example.options }]]);
      const mask = compileMasks(rules, columns, { table: 'public.t', key: KEY }).get(0);
      assert.ok(mask, describeCase(example));
      if (isInjective(example, rowColumns)) injective.push(index);

      const inputs = [...new Set([...example.sampleInputs, ...extraInputs(example)])];
      const masked: Masked[] = [];
      for (const input of [...inputs, null]) {
        const view = { field: (i: number): string | null => (i === 0 ? input : (example.row?.[rowColumns[i - 1] as string] ?? null)) };
        try {
          masked.push({ example: index, input, output: mask(input, view) });
        } catch (err) {
          failures.push(
            `${describeCase(example)}: masking ${JSON.stringify(input)} threw ${err instanceof Error ? err.message : String(err)}`,
          );
        }
      }

      const table = tables.get(example.type) as string;
      for (const row of masked) {
        try {
          await dbs.target.query(`INSERT INTO ${table} (example, input, output) VALUES ($1, $2, $3)`, [row.example, row.input, row.output]);
          inserted++;
        } catch (err) {
          failures.push(
            `${describeCase(example)}: ${JSON.stringify(row.input)} -> ${JSON.stringify(row.output)} rejected: ${err instanceof Error ? err.message : String(err)}`,
          );
        }
      }
    }
    assert.deepEqual(failures, []);
    assert.ok(inserted > 500, `only ${inserted} values inserted`);

    for (const index of injective) {
      const example = CASES[index] as StrategyExample;
      const table = tables.get(example.type) as string;
      // json has no equality operator; its text is what a unique index on it would compare anyway.
      const isJson = example.type === 'json';
      const value = isJson ? 'input' : `input::${example.type}`;
      const output = isJson ? 'output::text' : 'output';
      const shared = await dbs.target.query<{ output: string; inputs: string[] }>(
        `SELECT ${output}::text AS output, array_agg(DISTINCT input) AS inputs FROM ${table}
          WHERE example = $1 AND input IS NOT NULL GROUP BY ${output} HAVING count(DISTINCT ${value}) > 1`,
        [index],
      );
      assert.deepEqual(shared.rows, [], `${describeCase(example)} gave distinct inputs the same output`);
      if (example.strategy === 'keep') continue;
      // Nor an input its own output, as the column's type compares them. Documented exceptions: text
      // without a digit for the layout-keeping strategies, and `/0` networks (no address bit to mask).
      const noDigitsCopied = ['phone', 'digits', 'credit_card'].includes(example.strategy) ? `AND input ~ '[0-9]'` : '';
      const unchanged = await dbs.target.query<{ input: string }>(
        `SELECT input FROM ${table} WHERE example = $1 AND input IS NOT NULL AND ${output}::text = (${value})::text AND input NOT LIKE '%/0' ${noDigitsCopied}`,
        [index],
      );
      assert.deepEqual(unchanged.rows, [], `${describeCase(example)} masked a value to itself`);
    }
    // The injective strategies really were among those checked.
    const checked = new Set(injective.map((i) => CASES[i]?.strategy));
    for (const name of ['email', 'phone', 'hash', 'credit_card', 'digits', 'ip', 'uuid', 'keep'])
      assert.ok(checked.has(name), `${name} checked for injectivity`);
  });
});
