/**
 * `pgtwin teardown`: drop the twin's slot (so the source stops keeping WAL for
 * it) and the publication, after confirmation. A slot in use is never dropped:
 * that would pull the stream from under a running follow. The publication is
 * shared by every twin of the source, so it stays while other twins' slots exist.
 */
import type { Settings } from '../config/index.js';
import { InterruptedError, PgtwinError, SafetyError, messageOf } from '../errors.js';
import { openClient, withTransaction, type Client } from '../pg/connect.js';
import { quoteIdent, quoteLiteral } from '../pg/ident.js';
import { sqlStateOf } from '../pg/retry.js';
import { withScope } from '../scope.js';
import { readOtherTwinSlots, readSlot, type SlotFacts } from './replication-objects.js';
import { publicationName, twinSlotName } from './source-endpoint.js';
import { openSourceEndpoint } from '../pg/connect-endpoints.js';

export interface TeardownRequest {
  readonly settings: Settings;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal?: AbortSignal | undefined;
  readonly slot?: string | undefined;
  readonly publication?: string | undefined;
  readonly keepPublication: boolean;
  /** Drop the publication even though other twins' slots exist. */
  readonly force: boolean;
  readonly dryRun: boolean;
  readonly confirm: (question: string) => Promise<boolean>;
}

export interface TeardownResult {
  readonly source: string;
  readonly database: string;
  readonly slot: string;
  readonly publication: string;
  /** The slot as found; undefined when there is none. */
  readonly slotFound: SlotFacts | undefined;
  readonly publicationFound: boolean;
  readonly statements: readonly string[];
  readonly dryRun: boolean;
  readonly applied: boolean;
  readonly droppedSlot: boolean;
  readonly droppedPublication: boolean;
  readonly warnings: readonly string[];
}

export async function teardown(request: TeardownRequest): Promise<TeardownResult> {
  const slotName = twinSlotName(request.settings, request.env, request.slot);
  const publication = publicationName(request.publication);
  const endpoint = await openSourceEndpoint(request.settings, request.env, { signal: request.signal });
  return withScope(async (scope) => {
    const client = scope.add(
      await openClient(endpoint, { readOnly: true, applicationName: 'pgtwin teardown', signal: request.signal }),
      (c) => c.end(),
      'source session',
    );
    const database = (await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0]?.db ?? '';
    const slot = await readSlot(client, slotName);
    if (slot?.active === true) throw slotActive(slotName, slot.activePid);
    if (slot !== undefined && slot.database !== database) {
      throw new SafetyError(
        'SLOT_OTHER_DATABASE',
        `The slot ${slotName} belongs to ${slot.database === undefined ? 'no database (a physical slot)' : `database ${slot.database}`}, not to ${database}; it is not this twin's, so it was left alone.`,
        {
          nextStep: 'Check --slot, or point --from at the database the slot decodes.',
        },
      );
    }
    const publicationFound = (await client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [publication])).rows.length > 0;
    const others = await readOtherTwinSlots(client, slotName);
    const warnings: string[] = [];
    let dropPublication = publicationFound && !request.keepPublication;
    if (dropPublication && others.length > 0 && !request.force) {
      dropPublication = false;
      warnings.push(
        `The publication ${publication} is kept: other twins' slots on this database (${others.map((s) => s.name).join(', ')}) read it. --force drops it anyway.`,
      );
    }
    const statements = [
      ...(slot !== undefined ? [`SELECT pg_drop_replication_slot(${quoteLiteral(slotName)})`] : []),
      ...(dropPublication ? [`DROP PUBLICATION IF EXISTS ${quoteIdent(publication)}`] : []),
    ];
    const result = {
      source: endpoint.display,
      database,
      slot: slotName,
      publication,
      slotFound: slot,
      publicationFound,
      statements,
      dryRun: request.dryRun,
      warnings,
    };
    const none = { ...result, applied: false, droppedSlot: false, droppedPublication: false };
    if (statements.length === 0 || request.dryRun) return none;

    const question = `teardown will run this on the source ${endpoint.display} (database ${database}):\n\n${statements.map((s) => `${s};`).join('\n')}\n`;
    if (!(await request.confirm(question))) {
      throw new SafetyError('NOT_CONFIRMED', 'Dropping the slot and publication was not confirmed; nothing was dropped.', {
        nextStep: 'Run again and answer yes, pass --yes, or --dry-run to print the SQL.',
      });
    }
    if (request.signal?.aborted === true)
      throw new InterruptedError('Stopped before dropping anything.', { nextStep: 'Run the same command again.' });
    // One statement per transaction: dropping a slot is not transactional anyway,
    // and the slot goes first so a failure leaves at most a harmless publication.
    const done: string[] = [];
    for (const statement of statements) {
      await run(client, statement, slotName, done);
      done.push(statement);
    }
    return { ...result, applied: true, droppedSlot: slot !== undefined, droppedPublication: dropPublication };
  });
}

async function run(client: Client, statement: string, slotName: string, done: readonly string[]): Promise<void> {
  try {
    await withTransaction(client, async () => void (await client.query(statement)), 'BEGIN READ WRITE');
  } catch (error) {
    const state = sqlStateOf(error);
    // A follow that started after the check.
    if (state === '55006') throw slotActive(slotName, undefined, error);
    throw new PgtwinError('TEARDOWN_FAILED', 'failure', `Dropping failed: ${messageOf(error)}`, {
      cause: error,
      details: [`at: ${statement}`, ...done.map((d) => `already done: ${d}`)],
      nextStep:
        state === '42501'
          ? 'Run teardown as a role with REPLICATION that owns the publication (or a superuser).'
          : 'Fix the cause and run the same command again.',
    });
  }
}

function slotActive(slot: string, pid: number | undefined, cause?: unknown): SafetyError {
  return new SafetyError(
    'SLOT_ACTIVE',
    `The slot ${slot} is in use${pid === undefined ? '' : ` by process ${pid}`} (a running pgtwin follow?); nothing was dropped.`,
    {
      cause,
      nextStep: 'Stop pgtwin follow for this twin first, then run teardown again.',
    },
  );
}
