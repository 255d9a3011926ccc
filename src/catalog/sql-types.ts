/**
 * Catalog queries about types: collations, types (system ones included, to
 * tell whether a target has them), enum labels, domain constraints, composite
 * attributes and ranges.
 */
import { SYSTEM_NAMESPACE, USER_NAMESPACE } from './sql-filters.js';

// The provider-specific columns differ between 12, 15 and 17: read the whole row as JSON. Only for
// collations pgtwin may create: a system one is known by its name (the JSON of all 731 took 40-90 ms to read, against 8-40 ms now).
export const COLLATIONS_SQL = `
SELECT c.oid::int8 AS oid, n.nspname AS schema, c.collname AS name, ${SYSTEM_NAMESPACE} AS system,
       CASE WHEN NOT ${SYSTEM_NAMESPACE} THEN to_jsonb(c) END AS info,
       CASE WHEN NOT ${SYSTEM_NAMESPACE} THEN obj_description(c.oid, 'pg_collation') END AS comment
FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace
WHERE c.collencoding IN (-1, pg_char_to_encoding(current_setting('server_encoding')))`;

export const TYPES_SQL = `
SELECT t.oid::int8 AS oid, n.nspname AS schema, t.typname AS name, format_type(t.oid, NULL) AS sql_name,
       t.typtype AS typtype, ${SYSTEM_NAMESPACE} AS system,
       CASE WHEN el.typarray = t.oid THEN t.typelem::int8 END AS element_oid,
       nullif(t.typrelid, 0)::int8 AS relation_oid, rc.relkind AS relation_kind,
       CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base_type,
       nullif(t.typbasetype, 0)::int8 AS base_type_oid, t.typnotnull AS not_null,
       CASE WHEN t.typtype = 'd' THEN pg_get_expr(t.typdefaultbin, 0) END AS default_expr,
       CASE WHEN t.typtype = 'd' AND t.typcollation <> bt.typcollation THEN t.typcollation::int8 END AS collation,
       CASE WHEN NOT ${SYSTEM_NAMESPACE} THEN obj_description(t.oid, 'pg_type') END AS comment
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_type el ON el.oid = t.typelem
LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
LEFT JOIN pg_class rc ON rc.oid = t.typrelid
WHERE n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`;

export const ENUM_LABELS_SQL = `
SELECT e.enumtypid::int8 AS oid, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE ${USER_NAMESPACE} GROUP BY e.enumtypid`;

// contype 'n' (NOT NULL as a constraint, PostgreSQL 17+) is read from typnotnull instead.
export const DOMAIN_CONSTRAINTS_SQL = `
SELECT c.contypid::int8 AS oid, c.conname AS name, pg_get_constraintdef(c.oid) AS definition, c.convalidated AS validated,
       obj_description(c.oid, 'pg_constraint') AS comment
FROM pg_constraint c JOIN pg_type t ON t.oid = c.contypid JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE c.contypid <> 0 AND c.contype = 'c' AND ${USER_NAMESPACE}
ORDER BY c.contypid, c.conname`;

export const COMPOSITE_ATTRIBUTES_SQL = `
SELECT c.reltype::int8 AS oid, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.atttypid::int8 AS type_oid,
       CASE WHEN a.attcollation <> t.typcollation THEN a.attcollation::int8 END AS collation,
       col_description(a.attrelid, a.attnum) AS comment
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid AND c.relkind = 'c'
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
WHERE a.attnum > 0 AND NOT a.attisdropped AND ${USER_NAMESPACE}
ORDER BY c.reltype, a.attnum`;

export const RANGES_SQL = `
SELECT r.rngtypid::int8 AS oid, format_type(r.rngsubtype, NULL) AS subtype, r.rngsubtype::int8 AS subtype_oid,
       CASE WHEN NOT opc.opcdefault THEN quote_ident(opn.nspname) || '.' || quote_ident(opc.opcname) END AS opclass,
       CASE WHEN r.rngcollation <> 0 AND r.rngcollation <> st.typcollation THEN r.rngcollation::int8 END AS collation,
       CASE WHEN r.rngcanonical <> 0 THEN r.rngcanonical::regproc::text END AS canonical,
       CASE WHEN r.rngsubdiff <> 0 THEN r.rngsubdiff::regproc::text END AS subtype_diff,
       nullif((to_jsonb(r) ->> 'rngmultitypid')::int8, 0) AS multirange_oid
FROM pg_range r
JOIN pg_type t ON t.oid = r.rngtypid
JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_type st ON st.oid = r.rngsubtype
JOIN pg_opclass opc ON opc.oid = r.rngsubopc
JOIN pg_namespace opn ON opn.oid = opc.opcnamespace
WHERE ${USER_NAMESPACE}`;
