import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { StrategySpec } from '../../src/config/settings.js';
import {
  AnonymizationError,
  checkMasks,
  checkStrict,
  compileMasks,
  defineStrategy,
  inheritForeignKeyRules,
  MaskingKey,
  MaskRulesError,
  StrategyRegistry,
  type MaskColumn,
  type MaskTable,
} from '../../src/anonymize/index.js';

const KEY = new MaskingKey(Buffer.alloc(32, 0x11));
const OTHER_KEY = new MaskingKey(Buffer.alloc(32, 0x12));

const USERS: readonly MaskColumn[] = [
  { name: 'id', type: 'bigint', notNull: true },
  { name: 'email', type: 'character varying(255)', notNull: true },
  { name: 'phone', type: 'text' },
  { name: 'age', type: 'integer' },
  { name: 'born', type: 'date', notNull: true },
  { name: 'nickname', type: 'character varying(12)' },
  { name: 'profile', type: 'jsonb' },
  { name: 'mood', type: 'public.mood' },
];
const USERS_TABLE: MaskTable = { table: 'public.users', primaryKey: ['id'], uniqueKeys: [['email']], referencedColumns: ['email'] };

function rules(entries: Record<string, string | StrategySpec>): Map<string, StrategySpec> {
  return new Map(
    Object.entries(entries).map(([column, spec]) => [column, typeof spec === 'string' ? { strategy: spec, options: {} } : spec]),
  );
}

/** A row view over a plain array, for calling masks directly. */
function rowOf(values: readonly (string | null)[]): { field(index: number): string | null } {
  return { field: (index) => values[index] ?? null };
}

describe('plan-time checks', () => {
  it('accepts fitting rules', () => {
    assert.deepEqual(
      checkMasks(
        rules({
          email: 'email',
          phone: 'phone',
          age: 'number',
          born: 'date',
          profile: { strategy: 'json', options: { paths: { '$.email': 'email' } } },
        }),
        USERS,
        USERS_TABLE,
      ),
      [],
    );
  });

  it('reports every problem at once, each naming the column, with suggestions', () => {
    const problems = checkMasks(
      rules({
        emial: 'email',
        email: 'name',
        phone: 'phnoe',
        age: 'email',
        born: 'redact',
        nickname: { strategy: 'hash', options: { lenght: 8 } },
        mood: 'lorem',
      }),
      USERS,
      USERS_TABLE,
    );
    const byColumn = new Map(problems.map((p) => [p.column, p]));
    assert.equal(byColumn.get('emial')?.code, 'UNKNOWN_COLUMN');
    assert.match(byColumn.get('emial')?.message ?? '', /did you mean `email`/);
    assert.equal(byColumn.get('email')?.code, 'NOT_INJECTIVE');
    assert.match(
      byColumn.get('email')?.message ?? '',
      /unique .* referenced by a foreign key.*injective strategy: .*email.*hash \(length ≥ 32\).*phone/,
    );
    assert.equal(byColumn.get('phone')?.code, 'UNKNOWN_STRATEGY');
    assert.match(byColumn.get('phone')?.message ?? '', /did you mean `phone`/);
    assert.equal(byColumn.get('age')?.code, 'TYPE_MISMATCH');
    assert.match(
      byColumn.get('age')?.message ?? '',
      /`email` does not fit column age of type integer; strategies that fit: digits, number/,
    );
    assert.equal(byColumn.get('born')?.code, 'TYPE_MISMATCH');
    assert.match(byColumn.get('born')?.message ?? '', /strategies that fit: date, timestamp/);
    assert.equal(byColumn.get('nickname')?.code, 'BAD_OPTIONS');
    assert.match(byColumn.get('nickname')?.message ?? '', /unknown option `lenght` \(did you mean `length`\?\)/);
    assert.equal(byColumn.get('mood')?.code, 'TYPE_MISMATCH');
    assert.match(byColumn.get('mood')?.message ?? '', /constant, null, keep, a custom strategy/);
    assert.equal(problems.length, 7);
  });

  it('refuses null on a NOT NULL column and outputs longer than varchar(n)', () => {
    const problems = checkMasks(
      rules({ born: 'null', nickname: 'email', phone: { strategy: 'redact', options: { text: 42 } } }),
      USERS,
      USERS_TABLE,
    );
    assert.deepEqual(
      problems.map((p) => [p.column, p.code]),
      [
        ['born', 'NULL_ON_NOT_NULL'],
        ['nickname', 'BAD_OPTIONS'],
      ],
    );
    assert.match(problems[0]?.message ?? '', /born is NOT NULL/);
    assert.match(problems[1]?.message ?? '', /29 characters, more than character varying\(12\) holds/);
  });

  it('requires an injective strategy on primary keys, unique and referenced columns', () => {
    const table: MaskTable = { table: 't', primaryKey: ['a'], uniqueKeys: [['b', 'c']], referencedColumns: ['d'] };
    const columns = ['a', 'b', 'c', 'd', 'e'].map((name) => ({ name, type: 'text' }));
    const problems = checkMasks(
      rules({ a: 'redact', b: 'name', c: 'hash', d: { strategy: 'hash', options: { length: 8 } }, e: 'redact' }),
      columns,
      table,
    );
    assert.deepEqual(
      problems.map((p) => p.column),
      ['a', 'b', 'd'],
    );
    assert.ok(problems.every((p) => p.code === 'NOT_INJECTIVE'));
  });

  it('checks json paths and their nested rules', () => {
    const problems = checkMasks(
      rules({
        profile: { strategy: 'json', options: { paths: { '$.email': 'emial', 'a[': 'email', '$.x': { strategy: 'json', options: {} } } } },
      }),
      USERS,
      USERS_TABLE,
    );
    const text = problems.map((p) => p.message).join('\n');
    assert.match(text, /path `\$\.email`: unknown strategy `emial` \(did you mean `email`\?\)/);
    assert.match(text, /expected \[\*\], \[n\] or \['key'\]/);
    assert.match(text, /json cannot be nested/);
  });

  it('checks template references and cycles', () => {
    const columns = ['id', 'a', 'b', 'c'].map((name) => ({ name, type: 'text' }));
    const problems = checkMasks(
      rules({
        a: { strategy: 'template', options: { template: '{{b}}' } },
        b: { strategy: 'template', options: { template: '{{a}}-{{idd}}' } },
        c: { strategy: 'template', options: { template: '{{c}}' } },
      }),
      columns,
      { table: 't' },
    );
    const text = problems.map((p) => `${p.code} ${p.message}`).join('\n');
    assert.match(text, /BAD_OPTIONS the template reads `\{\{idd\}\}`, which is not a column of t \(did you mean `id`\?\)/);
    assert.match(text, /BAD_OPTIONS the template reads its own column/);
  });

  it('finds cycles between templates', () => {
    const columns = ['a', 'b'].map((name) => ({ name, type: 'text' }));
    const problems = checkMasks(
      rules({ a: { strategy: 'template', options: { template: '{{b}}' } }, b: { strategy: 'template', options: { template: 'x{{a}}' } } }),
      columns,
      { table: 't' },
    );
    assert.deepEqual(
      problems.map((p) => p.code),
      ['READ_CYCLE'],
    );
    assert.match(problems[0]?.message ?? '', /a -> b -> a/);
  });

  it('compileMasks throws MaskRulesError listing every problem', () => {
    assert.throws(
      () => compileMasks(rules({ age: 'email', emial: 'email' }), USERS, { ...USERS_TABLE, key: KEY }),
      (err: unknown) => {
        assert.ok(err instanceof MaskRulesError);
        assert.equal(err.code, 'MASK_RULES_INVALID');
        assert.equal(err.details.length, 2);
        assert.match(err.details.join('\n'), /public\.users\.age: .*\n.*public\.users\.emial/);
        return true;
      },
    );
  });
});

describe('determinism and keys', () => {
  // Ten digits each, so digit-permuting strategies work on a large domain too.
  const inputs = Array.from({ length: 2000 }, (_, i) => `person${4_000_000_000 + i * 7919}@example.org`);

  function outputs(table: string, key: MaskingKey, spec: StrategySpec = { strategy: 'email', options: {} }): (string | null)[] {
    const mask = compileMasks(new Map([['e', spec]]), [{ name: 'e', type: 'text' }], { table, key }).get(0);
    assert.ok(mask);
    return inputs.map((v) => mask(v, rowOf([v])));
  }

  it('gives the same outputs in every table and on every compile', () => {
    assert.deepEqual(outputs('public.users', KEY), outputs('billing.invoices', KEY));
    assert.deepEqual(outputs('public.users', KEY), outputs('public.users', new MaskingKey(Buffer.alloc(32, 0x11))));
  });

  it('gives unrelated outputs under another key, or other options', () => {
    const a = outputs('t', KEY);
    const b = outputs('t', OTHER_KEY);
    const c = outputs('t', KEY, { strategy: 'email', options: { domain: 'example.com', keep_domain: false } });
    const d = outputs('t', KEY, { strategy: 'email', options: { domain: 'other.test' } });
    assert.equal(a.filter((v, i) => v === b[i]).length, 0);
    // Writing the defaults explicitly is the same rule.
    assert.deepEqual(a, c);
    assert.equal(a.filter((v, i) => (v as string).split('@')[0] === (d[i] as string).split('@')[0]).length, 0);
  });

  it('is key-sensitive for every PRF-based strategy', () => {
    for (const strategy of ['email', 'phone', 'hash', 'uuid', 'name', 'digits', 'lorem']) {
      const spec = { strategy, options: {} };
      const a = outputs('t', KEY, spec);
      const b = outputs('t', OTHER_KEY, spec);
      const same = a.filter((v, i) => v === b[i]).length;
      // Names come from a few hundred entries, so a few coincide by chance.
      assert.ok(same < (strategy === 'name' ? 40 : 5), `${strategy}: ${same} equal outputs under two keys`);
    }
  });
});

describe('compiled masks', () => {
  it('keep NULL as NULL, except where a strategy says otherwise', () => {
    const masks = compileMasks(rules({ phone: 'phone', nickname: 'null', age: 'number' }), USERS, { ...USERS_TABLE, key: KEY });
    for (const mask of masks.values()) assert.equal(mask(null, rowOf([])), null);
    const custom = defineStrategy({ name: 'fill_null', mask: (v) => v, maskNull: () => 'n/a' });
    const filled = compileMasks(rules({ phone: 'fill_null' }), USERS, {
      ...USERS_TABLE,
      key: KEY,
      strategies: new StrategyRegistry([custom]),
    });
    assert.equal(filled.get(2)?.(null, rowOf([])), 'n/a');
  });

  it('index masks by column position', () => {
    const masks = compileMasks(rules({ born: 'date', email: 'email' }), USERS, { ...USERS_TABLE, key: KEY });
    assert.deepEqual([...masks.keys()].sort(), [1, 4]);
  });

  it('let templates read other columns, masked ones as masked', () => {
    const columns = [
      { name: 'id', type: 'bigint', notNull: true },
      { name: 'email', type: 'text' },
      { name: 'login', type: 'text' },
      { name: 'first', type: 'text' },
      { name: 'display', type: 'text' },
    ];
    const masks = compileMasks(
      rules({
        email: { strategy: 'template', options: { template: 'user{{id}}@test.local' } },
        first: 'first_name',
        display: { strategy: 'template', options: { template: '{{first}} ({{login}})' } },
      }),
      columns,
      { table: 't', primaryKey: ['id'], key: KEY },
    );
    const row = rowOf(['42', 'ada@example.org', 'ada', 'Ada', 'Ada L.']);
    assert.equal(masks.get(1)?.('ada@example.org', row), 'user42@test.local');
    const first = masks.get(3)?.('Ada', row);
    assert.notEqual(first, 'Ada');
    assert.equal(masks.get(4)?.('Ada L.', row), `${first} (ada)`);
  });

  it('count a template on an unmasked id as injective', () => {
    const columns = [
      { name: 'id', type: 'bigint', notNull: true },
      { name: 'email', type: 'text' },
    ];
    const table = { table: 't', primaryKey: ['id'], uniqueKeys: [['email']] };
    assert.deepEqual(
      checkMasks(rules({ email: { strategy: 'template', options: { template: 'user{{id}}@test.local' } } }), columns, table),
      [],
    );
    assert.equal(
      checkMasks(rules({ email: { strategy: 'template', options: { template: 'user{{id}}{{id}}' } } }), columns, table)[0]?.code,
      'NOT_INJECTIVE',
    );
  });

  it('turn a throwing strategy into AnonymizationError naming table, column and strategy, never the value', () => {
    const leaky = defineStrategy({
      name: 'leaky',
      mask: (value) => {
        throw new Error(`cannot mask ${value} (local part ${value.split('@')[0] ?? ''})`);
      },
    });
    const masks = compileMasks(rules({ phone: 'leaky' }), USERS, { ...USERS_TABLE, key: KEY, strategies: new StrategyRegistry([leaky]) });
    const secret = 'margaret.hamilton@nasa.example';
    assert.throws(
      () => masks.get(2)?.(secret, rowOf([])),
      (err: unknown) => {
        assert.ok(err instanceof AnonymizationError);
        assert.equal(err.code, 'ANONYMIZATION_FAILED');
        assert.deepEqual([err.table, err.column, err.strategy], ['public.users', 'phone', 'leaky']);
        const everything = `${err.message} ${err.details.join(' ')} ${err.nextStep ?? ''} ${err.stack ?? ''} ${String(err.cause)}`;
        assert.ok(!everything.includes(secret), everything);
        assert.ok(!everything.includes('margaret.hamilton'), everything);
        assert.match(err.message, /strategy `leaky` failed on a value of public\.users\.phone/);
        return true;
      },
    );
  });

  it('reject a custom mask that returns something other than a string or null', () => {
    const bad = defineStrategy({ name: 'bad_return', mask: () => 42 as unknown as string });
    const masks = compileMasks(rules({ phone: 'bad_return' }), USERS, {
      ...USERS_TABLE,
      key: KEY,
      strategies: new StrategyRegistry([bad]),
    });
    assert.throws(() => masks.get(2)?.('x', rowOf([])), /returned number/);
  });
});

describe('foreign keys', () => {
  const fks = [
    { table: 'public.orders', columns: ['user_email'], referencedTable: 'public.users', referencedColumns: ['email'] },
    { table: 'public.order_notes', columns: ['order_email'], referencedTable: 'public.orders', referencedColumns: ['user_email'] },
    { table: 'public.audit', columns: ['email'], referencedTable: 'public.users', referencedColumns: ['email'] },
  ];

  it('gives referencing columns the referenced column rule, through chains', () => {
    const email = { strategy: 'email', options: { domain: 'corp.test' } };
    const result = inheritForeignKeyRules(new Map([['public.users', new Map([['email', email]])]]), fks);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.rules.get('public.orders')?.get('user_email'), email);
    assert.deepEqual(result.rules.get('public.order_notes')?.get('order_email'), email);
    assert.equal(result.inherited.length, 3);
  });

  it('reports a referencing column configured differently, or masked under an unmasked parent', () => {
    const result = inheritForeignKeyRules(
      new Map([
        ['public.users', new Map([['email', { strategy: 'email', options: {} }]])],
        ['public.audit', new Map([['email', { strategy: 'email', options: { domain: 'x.test' } }]])],
        ['public.orders', new Map()],
      ]),
      [...fks, { table: 'public.orders', columns: ['user_email'], referencedTable: 'public.accounts', referencedColumns: ['email'] }],
    );
    const text = result.problems.map((p) => `${p.table}.${p.column}: ${p.message}`).join('\n');
    assert.match(text, /public\.audit\.email: references public\.users\.email, which is masked by `email` with other options/);
  });

  it('masks a value the same in parent and child, so the foreign key holds', () => {
    const rule = { strategy: 'phone', options: {} };
    const parent = compileMasks(new Map([['p', rule]]), [{ name: 'p', type: 'text' }], { table: 'a', key: KEY, uniqueKeys: [['p']] }).get(
      0,
    );
    const child = compileMasks(
      new Map([['c', rule]]),
      [
        { name: 'x', type: 'int' },
        { name: 'c', type: 'text' },
      ],
      { table: 'b', key: KEY },
    ).get(1);
    assert.equal(parent?.('+1 555 0100', rowOf([])), child?.('+1 555 0100', rowOf([])));
  });
});

describe('strict mode', () => {
  it('lists every column that is neither masked nor kept, and bad keep entries', () => {
    const problems = checkStrict('public.users', USERS, rules({ email: 'email', phone: 'phone' }), [
      'id',
      'age',
      'born',
      'profile',
      'mood',
      'nickname',
      'emial',
      'phone',
    ]);
    assert.deepEqual(
      problems.map((p) => [p.column, p.code]),
      [
        ['emial', 'UNKNOWN_KEEP_COLUMN'],
        ['phone', 'KEEP_AND_MASK'],
      ],
    );
    assert.match(problems[0]?.message ?? '', /did you mean `email`/);
    const unreviewed = checkStrict('public.users', [...USERS, { name: 'ssn' }], rules({ email: 'email' }), [
      'id',
      'phone',
      'age',
      'born',
      'profile',
      'mood',
      'nickname',
    ]);
    assert.deepEqual(
      unreviewed.map((p) => [p.column, p.code]),
      [['ssn', 'UNREVIEWED_COLUMN']],
    );
    assert.match(unreviewed[0]?.message ?? '', /public\.users\.ssn is neither masked nor listed under `keep:`/);
  });
});
