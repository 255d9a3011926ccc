/**
 * `pgtwin verify` as a library call: the same plan as the sync (selection,
 * columns, filters, masked columns), then the row and checksum comparison and,
 * when asked, the leak check, on one source and one target session of its own.
 */
import type { Settings } from '../config/index.js';
import { openClient } from '../pg/connect.js';
import { PgtwinError, messageOf } from '../errors.js';
import { withScope } from '../scope.js';
import { planSync } from '../sync/sync.js';
import { findLeaks } from './find-leaks.js';
import { throwIfInterrupted } from './interrupt.js';
import type { LeakCheckResult } from './leak-types.js';
import { verifyTables, type VerifyTablesResult } from './verify-tables.js';

export interface VerifyRequest {
  readonly settings: Settings;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Also run the leak check. */
  readonly leaks: boolean;
  readonly minLength?: number | undefined;
  readonly includeValues?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface VerifyReport {
  /** Display forms of the endpoints (no password). */
  readonly source: string;
  readonly target: string;
  readonly tables: VerifyTablesResult;
  /** Undefined when the leak check was not asked for. */
  readonly leaks: LeakCheckResult | undefined;
  readonly warnings: readonly string[];
}

export async function runVerify(request: VerifyRequest): Promise<VerifyReport> {
  const { signal } = request;
  const { endpoints, plan } = await planSync({ settings: request.settings, env: request.env, signal, verifyOnly: true });
  return withScope(async (scope) => {
    const options = { applicationName: 'pgtwin verify', signal };
    const source = scope.add(await openClient(endpoints.source, { ...options, readOnly: true }), (c) => c.end(), 'source session');
    const target = scope.add(await openClient(endpoints.target, { ...options, readOnly: false }), (c) => c.end(), 'target session');
    // A long checksum or join does not look at the signal: closing the sessions ends it.
    const stop = (): void => {
      void source.end().catch(() => undefined);
      void target.end().catch(() => undefined);
    };
    signal?.addEventListener('abort', stop, { once: true });
    scope.defer(() => signal?.removeEventListener('abort', stop), 'abort listener');
    try {
      throwIfInterrupted(signal);
      const tables = await verifyTables({ source, target, tables: plan.tables, signal });
      const missing = new Set(tables.tables.filter((t) => t.status === 'missing-on-target').map((t) => t.table));
      const present = plan.tables.filter((t) => !missing.has(t.key));
      const leaks = request.leaks
        ? await findLeaks({ source, target, tables: present, minLength: request.minLength, includeValues: request.includeValues, signal })
        : undefined;
      return { source: endpoints.source.display, target: endpoints.target.display, tables, leaks, warnings: plan.warnings };
    } catch (error) {
      throwIfInterrupted(signal);
      if (error instanceof PgtwinError) throw error;
      throw new PgtwinError('VERIFY_FAILED', 'failure', `The verification could not finish: ${messageOf(error)}`, {
        cause: error,
        nextStep: 'Nothing was changed on either side; fix the cause and run pgtwin verify again.',
      });
    }
  });
}
