/**
 * The COPY statements of one table (or one chunk of it): what the source sends
 * and what the target takes. The plan decides columns, filters and chunks;
 * these render them, so the copy and the checks of a user's `where` run the
 * very same query.
 */
import { quoteIdent, quoteQualified } from '../pg/ident.js';
import { chunkPredicate, type ChunkPlan } from './chunk-bounds.js';
import type { TablePlan } from './plan.js';

export function copyOutSql(plan: TablePlan, chunk?: ChunkPlan): string {
  const range = chunk === undefined ? undefined : chunkPredicate(chunk.bounds);
  if (
    plan.source.kind === 'table' &&
    plan.where === undefined &&
    plan.limit === undefined &&
    range === undefined &&
    plan.columns.length > 0
  ) {
    return `COPY ${quoteQualified(plan.source)} (${plan.columns.map(quoteIdent).join(', ')}) TO STDOUT`;
  }
  return `COPY (${selectSql(plan, chunk)}) TO STDOUT`;
}

/**
 * The rows a chunk copies, as a query. COPY of a partitioned root needs the
 * query form; ONLY keeps legacy inheritance children (separate tables) out of
 * a plain table's rows. With no column, `SELECT FROM` still yields one (empty)
 * row per source row.
 */
export function selectSql(plan: TablePlan, chunk?: ChunkPlan): string {
  const columns = plan.columns.map(quoteIdent).join(', ');
  const range = chunk === undefined ? undefined : chunkPredicate(chunk.bounds);
  const only = plan.source.kind === 'table' ? 'ONLY ' : '';
  const conditions = [plan.where === undefined ? undefined : `(${plan.where})`, range].filter((c): c is string => c !== undefined);
  const where = conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
  const limit = plan.limit === undefined ? '' : ` LIMIT ${plan.limit}`;
  return `SELECT ${columns} FROM ${only}${quoteQualified(plan.source)}${where}${limit}`;
}

export function copyInSql(plan: TablePlan): string {
  return `COPY ${quoteQualified(plan.target)} (${plan.columns.map(quoteIdent).join(', ')}) FROM STDIN`;
}
