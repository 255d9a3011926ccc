/**
 * `pgtwin setup-source`: check the source for follow and fix what SQL can fix
 * safely (the publication; replica identity and a replication role only when
 * asked), in one transaction, after confirmation. The session is read-only
 * except for that one confirmed transaction. The slot is not created here: the
 * first `pgtwin follow` creates it, so that its exported snapshot seeds the twin.
 */
import type { Settings } from '../config/index.js';
import { InterruptedError, PgtwinError, SafetyError, UsageError, messageOf } from '../errors.js';
import { readCatalog } from '../catalog/index.js';
import { openClient, withTransaction, type Client } from '../pg/connect.js';
import { quoteLiteral } from '../pg/ident.js';
import { sqlStateOf } from '../pg/retry.js';
import { withScope } from '../scope.js';
import { selectForRun } from '../plan/select-tables.js';
import { LOCK_TIMEOUT, planSetup, setupScript, type SetupPlan } from './setup-sql.js';
import { checkSource, type SourceReport } from './source-checks.js';
import { checkedObjectName, publicationName, twinSlotName } from './source-endpoint.js';
import { openSourceEndpoint } from '../pg/connect-endpoints.js';
import type { SourceProblem } from './source-problem.js';

export interface SetupSourceRequest {
  readonly settings: Settings;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal?: AbortSignal | undefined;
  readonly slot?: string | undefined;
  readonly publication?: string | undefined;
  readonly replicaIdentityFull: boolean;
  /** --create-role NAME; its password comes from PGTWIN_REPLICATION_PASSWORD in `env`. */
  readonly createRole?: string | undefined;
  readonly dryRun: boolean;
  /** Asked with the script that would run; false means no. */
  readonly confirm: (question: string) => Promise<boolean>;
}

export interface SetupSourceResult {
  readonly source: string;
  readonly before: SourceReport;
  readonly plan: SetupPlan;
  /** The script of plan.statements as it would run (passwords as ***). */
  readonly script: string;
  readonly dryRun: boolean;
  readonly applied: boolean;
  /** The source after the statements ran; `before` when nothing ran. */
  readonly after: SourceReport;
  /** What still stands between the source and follow (for a dry run: what the script would not fix). */
  readonly remaining: readonly SourceProblem[];
  readonly warnings: readonly string[];
}

export const REPLICATION_PASSWORD_ENV = 'PGTWIN_REPLICATION_PASSWORD';

export async function setupSource(request: SetupSourceRequest): Promise<SetupSourceResult> {
  const slot = twinSlotName(request.settings, request.env, request.slot);
  const publication = publicationName(request.publication);
  const createRole = request.createRole === undefined ? undefined : checkedRoleName(request.createRole);
  const password = nonEmpty(request.env[REPLICATION_PASSWORD_ENV]);
  const endpoint = await openSourceEndpoint(request.settings, request.env, { signal: request.signal });
  return withScope(async (scope) => {
    const client = scope.add(
      await openClient(endpoint, { readOnly: true, applicationName: 'pgtwin setup-source', signal: request.signal }),
      (c) => c.end(),
      'source session',
    );
    const selection = selectForRun(request.settings, await readCatalog(client, 'tables'));
    const options = { publication, slot, followRole: createRole };
    const before = await checkSource(client, selection.tables.values(), options);
    const plan = planSetup(before, {
      replicaIdentityFull: request.replicaIdentityFull,
      createRole: createRole === undefined ? undefined : { name: createRole, password },
    });
    const script = setupScript(plan);
    const result = { source: endpoint.display, before, plan, script, dryRun: request.dryRun, warnings: selection.warnings };
    if (plan.statements.length === 0 || request.dryRun) return { ...result, applied: false, after: before, remaining: plan.unresolved };

    if (plan.needsPassword) {
      throw new UsageError(
        'NO_REPLICATION_PASSWORD',
        `--create-role ${createRole ?? ''} creates a role that logs in with a password, and ${REPLICATION_PASSWORD_ENV} is not set; nothing was changed.`,
        {
          nextStep: `Set ${REPLICATION_PASSWORD_ENV} in the environment (it is never printed), or --dry-run to see the SQL.`,
        },
      );
    }
    const question = `setup-source will run this on the source ${endpoint.display} (database ${before.server.database}):\n\n${script}`;
    if (!(await request.confirm(question))) {
      throw new SafetyError('NOT_CONFIRMED', 'The changes to the source were not confirmed; nothing was changed.', {
        nextStep: 'Run again and answer yes, pass --yes, or --dry-run to print the SQL.',
      });
    }
    if (request.signal?.aborted === true)
      throw new InterruptedError('Stopped before changing the source; nothing was changed.', { nextStep: 'Run the same command again.' });
    await apply(client, plan);
    const after = await checkSource(client, selection.tables.values(), options);
    return { ...result, applied: true, after, remaining: after.problems };
  });
}

async function apply(client: Client, plan: SetupPlan): Promise<void> {
  let current = '';
  try {
    await withTransaction(
      client,
      async () => {
        await client.query(`SET LOCAL lock_timeout = ${quoteLiteral(LOCK_TIMEOUT)}`);
        for (const statement of plan.statements) {
          current = statement.display;
          await client.query(statement.sql);
        }
      },
      'BEGIN READ WRITE',
    );
  } catch (error) {
    throw setupFailed(current, error);
  }
}

function setupFailed(statement: string, error: unknown): PgtwinError {
  const state = sqlStateOf(error);
  const nextStep =
    state === '55P03'
      ? `A transaction on the source holds a lock on a table this needs (waited ${LOCK_TIMEOUT}); run again when it has finished.`
      : state === '42501'
        ? 'Run setup-source as the owner of the tables (or a superuser), or apply the printed SQL (--dry-run) as such a role.'
        : 'Fix the cause and run the same command again (--dry-run prints the SQL).';
  return new PgtwinError(
    'SOURCE_SETUP_FAILED',
    'failure',
    `Changing the source failed; the transaction was rolled back and nothing was changed: ${messageOf(error)}`,
    {
      cause: error,
      details: statement === '' ? [] : [`at: ${statement}`],
      nextStep,
    },
  );
}

function checkedRoleName(name: string): string {
  const checked = checkedObjectName('create-role', name, 'pgtwin_replication');
  // pg_ names are reserved for the system's own roles.
  if (checked.startsWith('pg_'))
    throw new UsageError('BAD_FLAGS', `--create-role: role names starting with pg_ are reserved.`, {
      nextStep: 'For example --create-role pgtwin_replication.',
    });
  return checked;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
