/** The one question a sync asks before it writes, and the refusals around it. */
import { InterruptedError, SafetyError } from '../errors.js';
import type { Endpoints } from '../pg/connect-endpoints.js';
import type { SyncPlan } from '../plan/plan.js';
import type { TargetSchemaPlan } from '../snapshot/target-schema.js';
import type { PlanResult, SyncRequest } from './sync-request.js';

/**
 * Asks before the target is changed (a resume writes only rows that the
 * confirmed run truncated for: it does not ask again). Resolves to the time
 * spent waiting for the answer, which the report's duration leaves out.
 */
export async function confirmRun(request: SyncRequest, planned: PlanResult, signal: AbortSignal): Promise<number> {
  if (signal.aborted) throw notStarted();
  const asked = performance.now();
  const confirmed =
    request.resume === true || (await request.confirm(confirmationQuestion(planned.plan, planned.schema, planned.endpoints)));
  const promptMs = performance.now() - asked;
  if (!confirmed) {
    throw new SafetyError('NOT_CONFIRMED', 'The changes to the target tables were not confirmed; nothing was written.', {
      nextStep: 'Run again and answer yes, or pass --yes (needed when there is no terminal to ask on).',
    });
  }
  if (signal.aborted) throw notStarted();
  return promptMs;
}

function notStarted(): InterruptedError {
  return new InterruptedError('The sync was interrupted before anything was written.', {
    nextStep: 'Run the same pgtwin sync command again.',
  });
}

function confirmationQuestion(plan: SyncPlan, schema: TargetSchemaPlan | undefined, endpoints: Endpoints): string {
  const created = new Set(schema?.created ?? []);
  const plural = (n: number): string => `${n} table${n === 1 ? '' : 's'}`;
  const truncated = plan.tables.map((t) => t.key).filter((k) => !created.has(k));
  const lines: string[] = [];
  if (schema !== undefined && schema.dropped.length > 0)
    lines.push(`Drop and recreate ${plural(schema.dropped.length)} (all rows in them are lost): ${schema.dropped.join(', ')}`);
  const fresh = [...created].filter((k) => !(schema?.dropped ?? []).includes(k));
  if (fresh.length > 0) lines.push(`Create ${plural(fresh.length)}: ${fresh.join(', ')}`);
  if (truncated.length > 0) lines.push(`Truncate ${plural(truncated.length)}: ${truncated.join(', ')}`);
  const lo = plan.largeObjects;
  if (lo !== undefined && lo.decision !== 'skip')
    lines.push(`Replace the target's large objects with the source's ${lo.count}${lo.decision === 'empty' ? ' (empty)' : ''}`);
  return `On the target ${endpoints.target.display}, load from ${endpoints.source.display}:\n  ${lines.join('\n  ')}\nGo ahead?`;
}
