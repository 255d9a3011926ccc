/**
 * DDL text for post-data objects: keys, indexes, foreign keys, views,
 * materialized views, functions and triggers, from the source's pg_get_*def
 * output.
 */
import { quoteIdent, quoteQualified, type QualifiedName } from '../pg/ident.js';
import { cascadingIndexDefinition } from './definitions.js';
import type { ConstraintDef, IndexDef, TriggerDef, ViewDef } from '../catalog/index.js';
import { renderComment } from './render-types.js';

/**
 * On a partitioned table the constraint is added to the parent and cascades
 * to the partitions; elsewhere ONLY keeps a key from reaching inheritance
 * children (as in pg_dump). CHECKs cascade to children, as they did on the source.
 */
export function renderConstraint(table: QualifiedName, partitioned: boolean, constraint: ConstraintDef): string {
  const only = !partitioned && constraint.type !== 'check' ? 'ONLY ' : '';
  return `ALTER TABLE ${only}${quoteQualified(table)} ADD CONSTRAINT ${quoteIdent(constraint.name)} ${constraint.definition}`;
}

export function renderIndex(index: IndexDef, partitioned: boolean): string {
  return partitioned ? cascadingIndexDefinition(index.definition) : index.definition;
}

export function renderIndexComment(index: IndexDef): string[] {
  return index.comment === undefined ? [] : [renderComment(`INDEX ${quoteQualified(index)}`, index.comment)];
}

export function renderView(view: ViewDef): string {
  const options = view.options.length > 0 ? ` WITH (${view.options.join(', ')})` : '';
  if (view.materialized) return `CREATE MATERIALIZED VIEW ${quoteQualified(view)}${options} AS\n${view.definition}\nWITH NO DATA`;
  const check = view.checkOption === undefined ? '' : `\nWITH ${view.checkOption.toUpperCase()} CHECK OPTION`;
  return `CREATE VIEW ${quoteQualified(view)}${options} AS\n${view.definition}${check}`;
}

export function renderViewComments(view: ViewDef): string[] {
  const name = quoteQualified(view);
  const comments: string[] = [];
  if (view.comment !== undefined) comments.push(renderComment(`${view.materialized ? 'MATERIALIZED VIEW' : 'VIEW'} ${name}`, view.comment));
  for (const [column, text] of view.columnComments) comments.push(renderComment(`COLUMN ${name}.${quoteIdent(column)}`, text));
  return comments;
}

export function renderRefresh(view: ViewDef): string {
  return `REFRESH MATERIALIZED VIEW ${quoteQualified(view)}`;
}

/** The trigger, and its enabled state when the source had changed it. */
export function renderTrigger(trigger: TriggerDef, table: QualifiedName): string[] {
  const state = { O: undefined, D: 'DISABLE', R: 'ENABLE REPLICA', A: 'ENABLE ALWAYS' }[trigger.enabled];
  return [
    trigger.definition,
    ...(state === undefined ? [] : [`ALTER TABLE ${quoteQualified(table)} ${state} TRIGGER ${quoteIdent(trigger.name)}`]),
  ];
}
