/**
 * Sequences that no column owns or draws from (an invoice number taken with
 * `nextval('invoice_no')` by the application, a counter used by a function)
 * still carry state the twin needs: a twin whose sequence starts again at 1
 * hands out numbers production already used. Those in the schemas of the
 * selected tables are set to the source's values with the owned ones; the
 * target must hold them under the same name (schema creation makes them).
 */
import type { Catalog } from '../pg/catalog.js';
import type { Client } from '../pg/connect.js';
import { displayName, type QualifiedName } from '../pg/ident.js';
import type { TablePlan } from '../plan/plan.js';

export async function planUnownedSequences(source: Client, catalog: Catalog, tables: readonly TablePlan[]): Promise<QualifiedName[]> {
  const schemas = [...new Set(tables.map((t) => t.source.schema))];
  if (schemas.length === 0) return [];
  const result = await source.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'S' AND n.nspname = ANY($1::text[])
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                       AND ((d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')) OR d.deptype = 'e'))
     ORDER BY 1, 2`,
    [schemas],
  );
  // A sequence a column default draws from is linked to that column, selected or not.
  const linked = new Set(catalog.sequences.map((s) => displayName(s.sequence)));
  return result.rows.filter((r) => !linked.has(displayName(r))).map((r) => ({ schema: r.schema, name: r.name }));
}
