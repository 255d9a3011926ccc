import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressReporter } from '../../src/report/progress.js';
import type { SyncPlan, TablePlan } from '../../src/plan/plan.js';
import type { TableInfo } from '../../src/catalog/table-facts.js';

function table(key: string, estimatedRows: number): TablePlan {
  const [schema = '', name = ''] = key.split('.');
  const info: TableInfo = {
    oid: 1,
    schema,
    name,
    kind: 'table',
    partitionRoot: undefined,
    columns: [],
    primaryKey: [],
    uniqueKeys: [],
    estimatedRows,
    bytes: 0,
  };
  return {
    key,
    source: info,
    target: info,
    columns: ['id'],
    maskedColumns: [],
    maskRules: new Map(),
    inheritedRules: [],
    where: undefined,
    limit: undefined,
    chunks: [{ index: 0, bounds: { kind: 'whole' } }],
  };
}

describe('progress display', () => {
  const users = table('public.users', 1000);
  const orders = table('public.orders', -1);
  const plan: SyncPlan = { tables: [users, orders], foreignKeys: [], sequences: [], warnings: [] };

  it('draws bars per table and overall with rate and ETA on a terminal', () => {
    let out = '';
    const progress = new ProgressReporter({ write: (t) => (out += t), tty: true, intervalMs: 1_000_000 });
    progress.planned(plan);
    progress.phase('copy');
    progress.tableStarted(users);
    progress.tableProgress(users, 500, 50_000);
    progress.stop();
    assert.match(out, /public\.users\s+\[#{10}\.{10}\]\s+50%\s+500 rows/);
    assert.match(out, /total\s+\[#{10}\.{10}\]\s+50%.*0\/2 tables\s+ETA/);
    progress.tableFinished(users, { rows: 1000, bytes: 100_000, durationMs: 20 });
  });

  it('writes one line per finished table otherwise', () => {
    let out = '';
    const progress = new ProgressReporter({ write: (t) => (out += t), tty: false });
    progress.planned(plan);
    progress.phase('copy');
    progress.tableStarted(users);
    progress.tableProgress(users, 10, 100);
    progress.tableFinished(users, { rows: 1234, bytes: 2_500_000, durationMs: 1500 });
    assert.equal(out, 'pgtwin: copying 2 tables\npgtwin: public.users: 1,234 rows, 2.5 MB in 1.5 s\n');
  });

  it('with progress off (show_progress: false) writes no bars or table lines, but still the notes and warnings', () => {
    for (const tty of [true, false]) {
      let out = '';
      const progress = new ProgressReporter({ write: (t) => (out += t), tty, progress: false, intervalMs: 1 });
      progress.planned(plan);
      progress.phase('copy');
      progress.tableStarted(users);
      progress.tableProgress(users, 10, 100);
      progress.note('resuming run 7');
      progress.tableFinished(users, { rows: 1234, bytes: 2_500_000, durationMs: 1500 });
      progress.warning('public.orders: a row was skipped');
      progress.phase('analyze');
      progress.stop();
      assert.equal(out, 'pgtwin: resuming run 7\npgtwin: warning: public.orders: a row was skipped\n', `tty: ${tty}`);
    }
  });
});
