/** `--where TABLE=CONDITION` and `--limit TABLE=N` (Confiture's CLI spelling) into settings. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFlags } from '../../src/cli/args.js';
import { overridesFrom, SYNC_FLAGS } from '../../src/cli/sync-flags.js';
import { PgtwinError } from '../../src/errors.js';
import { load, loadError, visibleText, withDir } from '../fixtures/config/temp-config.js';

const overrides = (...argv: string[]) => overridesFrom(parseFlags('sync', argv, SYNC_FLAGS));

describe('--where / --limit', () => {
  it('reads TABLE=CONDITION (the condition keeps its own = signs) and TABLE=N, repeated per table', () => {
    const { filters } = overrides(
      '--where',
      `users=created_at > now() - interval '30 days'`,
      '--where',
      "orders = status = 'paid'",
      '--limit',
      'orders=1000',
      '--limit',
      'public.logs=0',
    );
    assert.deepEqual(
      [...(filters ?? [])],
      [
        ['users', { where: "created_at > now() - interval '30 days'" }],
        ['orders', { where: "status = 'paid'", limit: 1000 }],
        ['public.logs', { limit: 0 }],
      ],
    );
    assert.equal(overrides('--tables', 'users').filters, undefined);
  });

  it('refuses what is not TABLE=VALUE, a bad count, and a table given twice', () => {
    for (const [argv, message] of [
      [['--where', 'created_at > now()'], /--where takes TABLE=CONDITION, not "created_at > now\(\)"/],
      [['--where', 'users='], /--where takes TABLE=CONDITION/],
      [['--limit', 'users=ten'], /--limit takes TABLE=N with N a whole number/],
      [['--limit', '1000'], /--limit takes TABLE=N/],
      [['--where', 'a=x', '--where', 'a=y'], /--where is given twice for a/],
    ] as const) {
      assert.throws(
        () => overrides(...argv),
        (error: unknown) => error instanceof PgtwinError && error.code === 'BAD_FLAGS' && message.test(error.message),
      );
    }
  });

  it('wins over the file for the same table and keeps the part it does not give', async () => {
    const yaml = 'tables:\n  filters:\n    users: { where: "active", limit: 50 }\n    orders: { limit: 7 }\n';
    await withDir({ 'pgtwin.yaml': yaml }, async (dir) => {
      const settings = await load(dir, { overrides: overrides('--limit', 'users=10', '--where', 'logs=id > 5') });
      assert.deepEqual(settings.tables.filters.get('users'), { where: 'active', limit: 10, fromCommandLine: true });
      assert.deepEqual(settings.tables.filters.get('orders'), { where: undefined, limit: 7 });
      assert.deepEqual(settings.tables.filters.get('logs'), { where: 'id > 5', limit: undefined, fromCommandLine: true });
    });
  });

  it('reports an empty table name with the other problems', async () => {
    await withDir({}, async (dir) => {
      const error = await loadError(dir, { overrides: { filters: new Map([[' ', { limit: 1 }]]) } });
      assert.match(visibleText(error), /--limit: table names and globs must not be empty/);
    });
  });
});
