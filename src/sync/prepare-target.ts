/**
 * Preparing the target for a new run, in one transaction: the tables exist,
 * are empty, their foreign keys and (for tables loaded again) their keys and
 * indexes are set aside, and the plan is stored, or none of it. From then on
 * the run can be resumed.
 */
import { quoteQualified } from '../pg/ident.js';
import { triggerSwitchSql } from '../pg/replica-session.js';
import { executePreData } from '../schema/index.js';
import { setAsideForeignKeys } from '../snapshot/foreign-keys.js';
import { SET_ASIDE_MIN_BYTES, setAsideIndexes } from '../snapshot/set-aside-indexes.js';
import { storedPlanOf, storePlan } from '../snapshot/resume.js';
import { stopBeforeCopied, type SyncRun } from './sync-run.js';

export async function prepareTarget(run: SyncRun): Promise<void> {
  const { control, plan, schema, signal, observer } = run;
  observer.phase?.('prepare');
  if (schema !== undefined && schema.ddl.preData.length > 0) {
    const n = schema.created.length;
    observer.note?.(
      `creating ${n > 0 ? `${n} table${n === 1 ? '' : 's'} and ` : ''}what the twin lacks on the target (${schema.ddl.preData.length} statements before the load, ${schema.ddl.postData.length} after)`,
    );
  }
  try {
    await control.query('BEGIN');
    run.notCreated.push(...(await executePreData(control, schema?.ddl.preData ?? [], { signal })));
    await setAsideForeignKeys(control, plan.foreignKeys, run.runId);
    const created = new Set(schema?.created ?? []);
    const reloaded = plan.tables.filter((t) => !created.has(t.key) && t.source.bytes >= SET_ASIDE_MIN_BYTES).map((t) => t.target);
    const setAside = await setAsideIndexes(control, reloaded, run.writeMode.replicaRole, run.runId);
    if (setAside.indexes > 0) {
      const n = setAside.tables.size;
      observer.note?.(
        `${setAside.indexes} index${setAside.indexes === 1 ? '' : 'es'} (keys included) of ${n} table${n === 1 ? '' : 's'} set aside for the load; each table's are built again once its rows are in`,
      );
    } else if (setAside.keptBecause !== undefined) observer.note?.(`indexes kept during the load: ${setAside.keptBecause}`);
    // Without the replica role, ON TRUNCATE triggers are turned off for this transaction only.
    const triggers = [...run.writeMode.triggersOff.values()].flat();
    for (const sql of triggerSwitchSql(triggers, false)) await control.query(sql);
    if (plan.tables.length > 0)
      await control.query(
        `TRUNCATE ${plan.tables.map((t) => (t.target.kind === 'table' ? 'ONLY ' : '') + quoteQualified(t.target)).join(', ')}`,
      );
    for (const sql of triggerSwitchSql(triggers, true)) await control.query(sql);
    await storePlan(control, run.runId, storedPlanOf(plan, run.postData, run.masks.keyFingerprint));
    await control.query('COMMIT');
    run.stage = 'prepared';
  } catch (error) {
    await control.query('ROLLBACK').catch(() => undefined);
    throw await stopBeforeCopied(run, signal.aborted ? 'interrupted' : 'failed', error);
  }
}
