/**
 * `pgtwin schema` as a library call: plan the DDL for the selected tables,
 * ask before a recreate drops anything, then run pre-data (one transaction)
 * and post-data (one object at a time). No rows are copied.
 */
import type { Settings } from '../config/index.js';
import { SafetyError } from '../errors.js';
import { lockTargetForRun } from '../pg/state-schema.js';
import { withScope } from '../scope.js';
import { applyPostData, applyPreData, type DdlFailure, type DdlObserver } from './apply.js';
import type { SchemaPlan } from './ddl.js';
import { planSchema } from './plan-schema.js';
import { openSchemaSession } from './session.js';

export interface CreateSchemaRequest {
  readonly settings: Settings;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Drop the selected tables that exist on the target and create them again. */
  readonly recreate: boolean;
  /** Plan only: nothing is written. */
  readonly dryRun: boolean;
  /** Asked before a recreate drops anything; resolve false to refuse. */
  readonly confirm: (question: string) => Promise<boolean>;
  readonly signal?: AbortSignal;
  readonly observer?: DdlObserver;
}

export interface CreateSchemaResult {
  readonly source: string;
  readonly target: string;
  readonly plan: SchemaPlan;
  readonly dryRun: boolean;
  /** Objects that failed (a table's failure throws instead). */
  readonly failures: readonly DdlFailure[];
  readonly warnings: readonly string[];
}

export async function createSchema(request: CreateSchemaRequest): Promise<CreateSchemaResult> {
  return withScope(async (scope) => {
    const session = await openSchemaSession(request, scope, 'write');
    const plan = planSchema(session.source, session.target, {
      tables: session.tables,
      recreate: request.recreate,
      wholeDatabase: session.wholeDatabase,
    });
    const base = { source: session.endpoints.source.display, target: session.endpoints.target.display, plan, warnings: session.warnings };
    if (request.dryRun) return { ...base, dryRun: true, failures: [] };

    if (plan.drops.length > 0) {
      const question = `Drop and recreate on the target ${session.endpoints.target.display} (all rows in them are lost):\n  ${plan.drops.join('\n  ')}`;
      if (!(await request.confirm(question))) {
        throw new SafetyError('NOT_CONFIRMED', 'Dropping the existing target tables was not confirmed; nothing was written.', {
          nextStep:
            'Run again and answer yes, or pass --yes (needed when there is no terminal to ask on); without --recreate existing tables are left alone.',
        });
      }
    }
    const client = session.targetClient;
    await lockTargetForRun(client);
    const preFailures = await applyPreData(client, plan.preData, { observer: request.observer, signal: request.signal });
    const postFailures = await applyPostData(client, plan.postData, { observer: request.observer, signal: request.signal });
    return { ...base, dryRun: false, failures: [...preFailures, ...postFailures] };
  });
}
