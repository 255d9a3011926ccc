/**
 * Catalog queries about relations, as schema creation and diff need them:
 * every user relation, tables, columns, constraints, indexes, triggers,
 * sequences, views and rules.
 */
import { USER_RELATION } from './sql-filters.js';

export const RELATIONS_SQL = `
SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name, c.relkind AS relkind
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE ${USER_RELATION}`;

export const TABLES_SQL = `
SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name, c.relkind AS relkind,
       c.relpersistence = 'u' AS unlogged, coalesce(c.reloptions, '{}')::text[] AS options,
       CASE WHEN am.amname <> 'heap' THEN am.amname END AS access_method,
       array(SELECT i.inhparent::int8 FROM pg_inherits i WHERE i.inhrelid = c.oid AND NOT c.relispartition ORDER BY i.inhseqno) AS inherits,
       CASE WHEN c.relispartition THEN (SELECT i.inhparent::int8 FROM pg_inherits i WHERE i.inhrelid = c.oid) END AS partition_of,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_key,
       c.reltype::int8 AS row_type_oid, obj_description(c.oid, 'pg_class') AS comment,
       c.relreplident AS replica_identity, c.relrowsecurity AS row_security, c.relforcerowsecurity AS force_row_security
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_am am ON am.oid = c.relam
WHERE c.relkind IN ('r', 'p', 'f') AND ${USER_RELATION}
ORDER BY n.nspname, c.relname`;

export const COLUMNS_SQL = `
SELECT a.attrelid::int8 AS oid, a.attname AS name, a.attnum AS attnum,
       format_type(a.atttypid, a.atttypmod) AS type, a.atttypid::int8 AS type_oid, a.attnotnull AS not_null,
       pg_get_expr(d.adbin, d.adrelid) AS default_expr, a.attgenerated AS generated, a.attidentity AS identity,
       CASE WHEN a.attcollation <> t.typcollation THEN a.attcollation::int8 END AS collation,
       a.attislocal AS local, col_description(a.attrelid, a.attnum) AS comment
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'f', 'v', 'm') AND ${USER_RELATION}
ORDER BY a.attrelid, a.attnum`;

// 'n' (NOT NULL constraints of PostgreSQL 18) is attnotnull; 't' constraint triggers come with the triggers.
export const CONSTRAINTS_SQL = `
SELECT con.oid::int8 AS oid, con.conrelid::int8 AS table_oid, con.conname AS name, con.contype AS contype,
       pg_get_constraintdef(con.oid) AS definition, con.convalidated AS validated, con.conislocal AS local,
       con.conparentid <> 0 AS cloned, nullif(con.confrelid, 0)::int8 AS referenced_oid,
       obj_description(con.oid, 'pg_constraint') AS comment
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE con.contype IN ('c', 'p', 'u', 'x', 'f') AND ${USER_RELATION}
ORDER BY n.nspname, c.relname, con.conname`;

export const INDEXES_SQL = `
SELECT i.indexrelid::int8 AS oid, i.indrelid::int8 AS relation_oid, n.nspname AS schema, ic.relname AS name,
       pg_get_indexdef(i.indexrelid) AS definition, ic.relispartition AS attached,
       EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')) AS of_constraint,
       obj_description(i.indexrelid, 'pg_class') AS comment, i.indisreplident AS replica_identity
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE ${USER_RELATION}
ORDER BY n.nspname, ic.relname`;

/** Clones of a partitioned table's trigger are marked by tgparentid from 13 on, by tgisinternal before. */
export function triggersSql(versionNum: number): string {
  const notClone = versionNum >= 130000 ? 't.tgparentid = 0' : 'true';
  return `
SELECT t.oid::int8 AS oid, t.tgrelid::int8 AS relation_oid, t.tgname AS name, pg_get_triggerdef(t.oid) AS definition,
       t.tgfoid::int8 AS function_oid, t.tgenabled AS enabled, obj_description(t.oid, 'pg_trigger') AS comment
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT t.tgisinternal AND ${notClone} AND ${USER_RELATION}
ORDER BY n.nspname, c.relname, t.tgname`;
}

export const SEQUENCES_SQL = `
SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name, format_type(s.seqtypid, NULL) AS data_type,
       s.seqstart::text AS start, s.seqincrement::text AS increment, s.seqmin::text AS min, s.seqmax::text AS max,
       s.seqcache::text AS cache, s.seqcycle AS cycle, c.relpersistence = 'u' AS unlogged,
       d.refobjid::int8 AS owner_oid, a.attname AS owner_column, d.deptype = 'i' AS identity,
       obj_description(c.oid, 'pg_class') AS comment
FROM pg_sequence s
JOIN pg_class c ON c.oid = s.seqrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass
                     AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
WHERE ${USER_RELATION}`;

export const VIEWS_SQL = `
SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name, c.relkind = 'm' AS materialized,
       pg_get_viewdef(c.oid) AS definition, coalesce(c.reloptions, '{}')::text[] AS options,
       c.relispopulated AS populated, obj_description(c.oid, 'pg_class') AS comment
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm') AND ${USER_RELATION}
ORDER BY n.nspname, c.relname`;
export const RULES_SQL = `
SELECT r.oid::int8 AS oid, r.ev_class::int8 AS relation_oid, r.rulename AS name, pg_get_ruledef(r.oid) AS definition,
       obj_description(r.oid, 'pg_rewrite') AS comment
FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE r.rulename <> '_RETURN' AND ${USER_RELATION}
ORDER BY n.nspname, c.relname, r.rulename`;
