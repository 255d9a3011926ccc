/** `pgtwin diff` as a library call: connect, select as sync does, compare. Reads only. */
import type { Settings } from '../config/index.js';
import { withScope } from '../scope.js';
import { diffSchemas, type SchemaDifference } from './diff.js';
import { openSchemaSession } from './session.js';

export interface CompareRequest {
  readonly settings: Settings;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal?: AbortSignal;
}

export interface CompareResult {
  readonly source: string;
  readonly target: string;
  readonly tables: readonly string[];
  readonly differences: readonly SchemaDifference[];
  readonly warnings: readonly string[];
}

export async function compareSchemas(request: CompareRequest): Promise<CompareResult> {
  return withScope(async (scope) => {
    const session = await openSchemaSession(request, scope, 'read');
    const differences = diffSchemas(session.source, session.target, {
      tables: session.tables,
      targetTables: session.targetTables,
      wholeDatabase: session.wholeDatabase,
    });
    return {
      source: session.endpoints.source.display,
      target: session.endpoints.target.display,
      tables: session.tables.map((t) => `${t.schema}.${t.name}`),
      differences,
      warnings: session.warnings,
    };
  });
}
