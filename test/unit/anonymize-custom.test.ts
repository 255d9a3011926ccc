import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

import {
  AnonymizationError,
  checkMasks,
  compileMasks,
  loadCustomStrategies,
  MaskingKey,
  StrategyRegistry,
} from '../../src/anonymize/index.js';
import { luhnValid } from '../../src/anonymize/strategies/digit-layout.js';
import { PgtwinError } from '../../src/errors.js';

const ENGINE = pathToFileURL(resolve('src/anonymize/index.js')).href;
const KEY = new MaskingKey(Buffer.alloc(32, 0x77));

// The seeds' examples, as a user would write them in masks.ts.
const MASKS_TS = `
import { defineStrategy, type MaskContext } from '${ENGINE}';

/** Keeps the last 4 digits, replaces the others with keyed digits, and restores the Luhn check. */
defineStrategy({
  name: 'card_last4',
  injective: false,
  mask(value: string, ctx: MaskContext): string {
    const digits = value.replace(/\\D/g, '');
    const keep = digits.slice(-4);
    let head = '';
    for (let i = 0; head.length < digits.length - 5; i++) head += String(ctx.prf.uint32(value, i) % 10);
    for (let check = 0; check <= 9; check++) {
      const candidate = head + check + keep;
      let sum = 0;
      for (let j = candidate.length - 1, k = 0; j >= 0; j--, k++) {
        let d = Number(candidate[j]);
        if (k % 2 === 1) { d *= 2; if (d > 9) d -= 9; }
        sum += d;
      }
      if (sum % 10 === 0) return candidate;
    }
    throw new Error('unreachable');
  },
});

/** An email built from the row's id: unique because the id is. */
defineStrategy({
  name: 'email_from_id',
  injective: true,
  acceptsTypes: ['text'],
  mask: (_value: string, ctx: MaskContext) => \`user\${ctx.row.get('id')}@test.local\`,
});
`;

const THROWING_JS = `
import { defineStrategy } from '${ENGINE}';
defineStrategy({ name: 'always_fails', mask: (value) => { throw new TypeError('no idea what to do with ' + value); } });
`;

const EXPORTS_MJS = `
import { defineStrategy } from '${ENGINE}';
export default [defineStrategy({ name: 'shout', mask: (value) => value.toUpperCase() })];
export const whisper = defineStrategy({ name: 'whisper', mask: (value) => value.toLowerCase() });
`;

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => err instanceof PgtwinError && err.code === code);
}

describe('custom strategies', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-custom-'));
    await writeFile(join(dir, 'masks.ts'), MASKS_TS);
    await writeFile(join(dir, 'throwing.js'), THROWING_JS.replace(/^/, '// plain JavaScript\n'));
    await writeFile(join(dir, 'exports.mjs'), EXPORTS_MJS);
    await writeFile(join(dir, 'empty.js'), 'export const nothing = 1;\n');
    await writeFile(join(dir, 'broken.js'), 'export const = ;\n');
    await writeFile(join(dir, 'package.json'), '{"type": "module"}\n');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads a TypeScript module that calls defineStrategy, and masks with it', async () => {
    const strategies = await loadCustomStrategies(join(dir, 'masks.ts'));
    assert.deepEqual(strategies.map((s) => s.name).sort(), ['card_last4', 'email_from_id']);
    const registry = new StrategyRegistry(strategies);
    const columns = [
      { name: 'id', type: 'bigint', notNull: true },
      { name: 'card', type: 'text' },
      { name: 'email', type: 'text' },
    ];
    const table = { table: 'public.customers', primaryKey: ['id'], uniqueKeys: [['email']], strategies: registry };
    const rules = new Map([
      ['card', { strategy: 'card_last4', options: {} }],
      ['email', { strategy: 'email_from_id', options: {} }],
    ]);
    assert.deepEqual(checkMasks(rules, columns, table), []);
    // The plain list from loadCustomStrategies works as well as a registry.
    const masks = compileMasks(rules, columns, {
      table: table.table,
      primaryKey: ['id'],
      uniqueKeys: [['email']],
      customStrategies: strategies,
      key: KEY,
    });
    const row = { field: (i: number) => ['7', '4111111111111111', 'x@y.z'][i] ?? null };
    const card = masks.get(1)?.('4111111111111111', row) as string;
    assert.equal(card.length, 16);
    assert.equal(card.slice(-4), '1111');
    assert.notEqual(card, '4111111111111111');
    assert.ok(luhnValid(card));
    assert.equal(masks.get(1)?.('4111111111111111', row), card, 'deterministic through ctx.prf');
    assert.equal(masks.get(2)?.('x@y.z', row), 'user7@test.local');
  });

  it('returns the same strategies when the module is loaded again', async () => {
    const first = await loadCustomStrategies(join(dir, 'masks.ts'));
    const second = await loadCustomStrategies(join(dir, 'masks.ts'));
    assert.deepEqual(second, first);
  });

  it('collects exported strategies (default arrays and named exports)', async () => {
    const names = (await loadCustomStrategies(join(dir, 'exports.mjs'))).map((s) => s.name).sort();
    assert.deepEqual(names, ['shout', 'whisper']);
  });

  it('lets a custom strategy replace a built-in and says so', async () => {
    const registry = new StrategyRegistry(await loadCustomStrategies(join(dir, 'exports.mjs')));
    assert.deepEqual(registry.overridden, []);
    const strategies = await loadCustomStrategies(join(dir, 'masks.ts'));
    const renamed = new StrategyRegistry(strategies.map((s) => (s.name === 'card_last4' ? { ...s, name: 'credit_card' } : s)));
    assert.deepEqual(renamed.overridden, ['credit_card']);
  });

  it('fails a sync-like run with AnonymizationError when a custom strategy throws, without the value', async () => {
    const registry = new StrategyRegistry(await loadCustomStrategies(join(dir, 'throwing.js')));
    const masks = compileMasks(new Map([['note', { strategy: 'always_fails', options: {} }]]), [{ name: 'note', type: 'text' }], {
      table: 'crm.notes',
      key: KEY,
      strategies: registry,
    });
    assert.throws(
      () => masks.get(0)?.('call Jane Roe at home', { field: () => null }),
      (err: unknown) => {
        assert.ok(err instanceof AnonymizationError);
        assert.deepEqual([err.table, err.column, err.strategy], ['crm.notes', 'note', 'always_fails']);
        assert.ok(!`${err.message}${err.details.join('')}`.includes('Jane Roe'));
        assert.match(err.details.join(''), /TypeError: no idea what to do with <value>/);
        return true;
      },
    );
  });

  it('reports modules without strategies, broken modules and other file types', async () => {
    await rejectsWith(loadCustomStrategies(join(dir, 'empty.js')), 'STRATEGIES_MODULE_EMPTY');
    await rejectsWith(loadCustomStrategies(join(dir, 'broken.js')), 'STRATEGIES_MODULE_FAILED');
    await rejectsWith(loadCustomStrategies(join(dir, 'missing.js')), 'STRATEGIES_MODULE_FAILED');
    await rejectsWith(loadCustomStrategies(join(dir, 'package.json')), 'STRATEGIES_MODULE_INVALID');
  });

  it('refuses two strategies of the same name', async () => {
    const strategies = await loadCustomStrategies(join(dir, 'exports.mjs'));
    assert.throws(() => new StrategyRegistry([...strategies, ...strategies]), /defined twice/);
  });
});
