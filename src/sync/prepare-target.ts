/**
 * Preparing the target for a new run, in one transaction: the tables exist,
 * are empty, their foreign keys are set aside and the plan is stored, or none
 * of it. From then on the run can be resumed.
 */
import { quoteQualified } from '../pg/ident.js';
import { triggerSwitchSql } from '../pg/replica-session.js';
import { executePreData } from '../schema/index.js';
import { setAsideForeignKeys } from '../snapshot/foreign-keys.js';
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
