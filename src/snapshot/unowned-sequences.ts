/**
 * Sequences that no column owns or draws from (an invoice number taken with
 * `nextval('invoice_no')` by the application, a counter used by a function)
 * still carry state the twin needs: a twin whose sequence starts again at 1
 * hands out numbers production already used. Those in the schemas of the
 * selected tables are set to the source's values with the owned ones; the
 * target must hold them under the same name (schema creation makes them).
 */
import type { Catalog } from '../catalog/index.js';
import { displayName, type QualifiedName } from '../pg/ident.js';
import type { TablePlan } from '../plan/plan.js';

/**
 * The catalog's sequences holds no temporary ones nor an extension's, and
 * knows each one's owning column (serial, OWNED BY, identity); a sequence a
 * column default draws from is linked to that column, selected or not.
 */
export function planUnownedSequences(catalog: Catalog, tables: readonly TablePlan[]): QualifiedName[] {
  const schemas = new Set(tables.map((t) => t.source.schema));
  if (schemas.size === 0) return [];
  const linked = new Set(catalog.sequences.map((s) => displayName(s.sequence)));
  return [...catalog.objects.sequences.values()]
    .filter((s) => schemas.has(s.schema) && s.ownedBy === undefined && !linked.has(displayName(s)))
    .map((s) => ({ schema: s.schema, name: s.name }))
    .sort((a, b) => compare(a.schema, b.schema) || compare(a.name, b.name));
}

/** Byte order, as the server sorts names. */
function compare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
