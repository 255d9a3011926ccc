/**
 * The catalog queries of schema creation and diff. They run on PostgreSQL 12
 * and later: columns that newer servers added are read only when the server has
 * them (`since()`), or through to_jsonb(row) where their set varies by version.
 */

/** Schemas of user objects: not the system's, not pgtwin's own state. */
export const USER_NAMESPACE = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgtwin')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`;

const SYSTEM_NAMESPACE = `n.nspname IN ('pg_catalog', 'information_schema')`;

/** Not created by an extension (CREATE EXTENSION brings those back). */
function notExtensionMember(catalog: string, oid: string): string {
  return `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${catalog}'::regclass AND e.objid = ${oid} AND e.deptype = 'e')`;
}

export const SCHEMAS_SQL = `
SELECT n.nspname AS name, obj_description(n.oid, 'pg_namespace') AS comment FROM pg_namespace n WHERE ${USER_NAMESPACE} ORDER BY 1`;

export const ROLES_SQL = `SELECT rolname AS name FROM pg_roles`;

export const LANGUAGES_SQL = `SELECT l.oid::int8 AS oid, l.lanname AS name FROM pg_language l`;

export const EXTENSIONS_SQL = `
SELECT x.extname AS name, n.nspname AS schema, x.extversion AS version
FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace ORDER BY 1`;

export const AVAILABLE_EXTENSIONS_SQL = `SELECT name FROM pg_available_extensions`;

// The provider-specific columns differ between 12, 15 and 17: read the whole row as JSON.
export const COLLATIONS_SQL = `
SELECT c.oid::int8 AS oid, n.nspname AS schema, c.collname AS name, ${SYSTEM_NAMESPACE} AS system, to_jsonb(c) AS info,
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

const USER_RELATION = `${USER_NAMESPACE} AND c.relpersistence <> 't' AND ${notExtensionMember('pg_class', 'c.oid')}`;

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

export function functionsSql(versionNum: number): string {
  const sqlBody = versionNum >= 140000 ? 'p.prosqlbody IS NOT NULL' : 'false';
  return `
SELECT p.oid::int8 AS oid, n.nspname AS schema, p.proname AS name, p.oid::regprocedure::text AS signature, p.prokind AS prokind,
       CASE WHEN p.prokind IN ('f', 'p', 'w') THEN pg_get_functiondef(p.oid) END AS definition,
       ${sqlBody} AS sql_body, obj_description(p.oid, 'pg_proc') AS comment,
       pg_get_function_identity_arguments(p.oid) AS identity_args, p.prolang::int8 AS language_oid, p.proparallel AS parallel
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE ${USER_NAMESPACE} AND ${notExtensionMember('pg_proc', 'p.oid')}
  -- constructors made with a range type come back with CREATE TYPE
  AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_proc'::regclass AND i.objid = p.oid AND i.deptype = 'i')
ORDER BY n.nspname, p.proname, p.oid`;
}

/** Functions, as CREATE AGGREGATE needs them: regproc texts are schema-qualified under search_path = pg_catalog. */
export const AGGREGATES_SQL = `
SELECT a.aggfnoid::int8 AS oid, pg_get_function_arguments(a.aggfnoid) AS args, a.aggkind AS kind,
       a.aggtransfn::regproc::text AS sfunc, format_type(a.aggtranstype, NULL) AS stype, a.aggtransspace AS sspace,
       nullif(a.aggfinalfn, 0)::regproc::text AS finalfunc, a.aggfinalextra AS finalextra, a.aggfinalmodify AS finalmodify,
       nullif(a.aggcombinefn, 0)::regproc::text AS combinefunc, nullif(a.aggserialfn, 0)::regproc::text AS serialfunc,
       nullif(a.aggdeserialfn, 0)::regproc::text AS deserialfunc, a.agginitval AS initcond,
       nullif(a.aggmtransfn, 0)::regproc::text AS msfunc, nullif(a.aggminvtransfn, 0)::regproc::text AS minvfunc,
       CASE WHEN a.aggmtranstype <> 0 THEN format_type(a.aggmtranstype, NULL) END AS mstype, a.aggmtransspace AS msspace,
       nullif(a.aggmfinalfn, 0)::regproc::text AS mfinalfunc, a.aggmfinalextra AS mfinalextra, a.aggmfinalmodify AS mfinalmodify,
       a.aggminitval AS minitcond,
       CASE WHEN a.aggsortop <> 0 THEN 'OPERATOR(' || quote_ident(opn.nspname) || '.' || op.oprname || ')' END AS sortop
FROM pg_aggregate a
JOIN pg_proc p ON p.oid = a.aggfnoid
JOIN pg_namespace n ON n.oid = p.pronamespace
LEFT JOIN pg_operator op ON op.oid = a.aggsortop
LEFT JOIN pg_namespace opn ON opn.oid = op.oprnamespace
WHERE ${USER_NAMESPACE}`;

/** Text search configurations and their token mappings (dictionaries as regdictionary texts). */
export const TS_CONFIGS_SQL = `
SELECT c.oid::int8 AS oid, n.nspname AS schema, c.cfgname AS name,
       quote_ident(pn.nspname) || '.' || quote_ident(p.prsname) AS parser, obj_description(c.oid, 'pg_ts_config') AS comment,
       (SELECT json_agg(json_build_object('token', t.alias,
                 'dictionaries', (SELECT json_agg(m.mapdict::regdictionary::text ORDER BY m.mapseqno) FROM pg_ts_config_map m WHERE m.mapcfg = c.oid AND m.maptokentype = t.tokid))
               ORDER BY t.tokid)
        FROM ts_token_type(c.cfgparser) t WHERE EXISTS (SELECT 1 FROM pg_ts_config_map m WHERE m.mapcfg = c.oid AND m.maptokentype = t.tokid)) AS mappings
FROM pg_ts_config c
JOIN pg_namespace n ON n.oid = c.cfgnamespace
JOIN pg_ts_parser p ON p.oid = c.cfgparser
JOIN pg_namespace pn ON pn.oid = p.prsnamespace
WHERE ${USER_NAMESPACE} AND ${notExtensionMember('pg_ts_config', 'c.oid')}
ORDER BY n.nspname, c.cfgname`;

export const TS_DICTIONARIES_SQL = `
SELECT d.oid::int8 AS oid, n.nspname AS schema, d.dictname AS name,
       quote_ident(tn.nspname) || '.' || quote_ident(t.tmplname) AS template, d.dictinitoption AS options,
       obj_description(d.oid, 'pg_ts_dict') AS comment
FROM pg_ts_dict d
JOIN pg_namespace n ON n.oid = d.dictnamespace
JOIN pg_ts_template t ON t.oid = d.dicttemplate
JOIN pg_namespace tn ON tn.oid = t.tmplnamespace
WHERE ${USER_NAMESPACE} AND ${notExtensionMember('pg_ts_dict', 'd.oid')}
ORDER BY n.nspname, d.dictname`;

/** Row-level security policies; roles by name (`public` for PUBLIC), expressions as the source deparses them. */
export const POLICIES_SQL = `
SELECT p.oid::int8 AS oid, p.polrelid::int8 AS relation_oid, p.polname AS name, p.polpermissive AS permissive, p.polcmd AS command,
       array(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r)::text END FROM unnest(p.polroles) r ORDER BY 1)::text[] AS roles,
       pg_get_expr(p.polqual, p.polrelid) AS qual, pg_get_expr(p.polwithcheck, p.polrelid) AS with_check,
       obj_description(p.oid, 'pg_policy') AS comment
FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE ${USER_RELATION}
ORDER BY n.nspname, c.relname, p.polname`;

export const RULES_SQL = `
SELECT r.oid::int8 AS oid, r.ev_class::int8 AS relation_oid, r.rulename AS name, pg_get_ruledef(r.oid) AS definition,
       obj_description(r.oid, 'pg_rewrite') AS comment
FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE r.rulename <> '_RETURN' AND ${USER_RELATION}
ORDER BY n.nspname, c.relname, r.rulename`;

/**
 * Privileges granted on user objects, one row per grantee and privilege. The
 * owner's own privileges are left out (the target's owner has them); a
 * function or type whose ACL lacks PUBLIC had the default revoked.
 */
export const GRANTS_SQL = `
WITH objects AS (
  SELECT 'rel:' || c.oid AS key, CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS word,
         quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name, NULL::name AS column_name, c.relowner AS owner, c.relacl AS acl
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND ${USER_RELATION}
  UNION ALL
  SELECT 'rel:' || c.oid, 'TABLE', quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname, c.relowner, a.attacl
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped AND ${USER_RELATION}
  UNION ALL
  SELECT 'fn:' || p.oid, CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, p.oid::regprocedure::text, NULL, p.proowner, p.proacl
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE ${USER_NAMESPACE} AND ${notExtensionMember('pg_proc', 'p.oid')}
  UNION ALL
  SELECT 'nsp:' || n.nspname, 'SCHEMA', quote_ident(n.nspname), NULL, n.nspowner, n.nspacl
  FROM pg_namespace n WHERE ${USER_NAMESPACE}
  UNION ALL
  SELECT 'type:' || t.oid, CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, format_type(t.oid, NULL), NULL, t.typowner, t.typacl
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
  WHERE t.typtype IN ('d', 'e', 'r', 'c') AND (t.typrelid = 0 OR EXISTS (SELECT 1 FROM pg_class k WHERE k.oid = t.typrelid AND k.relkind = 'c'))
    AND ${USER_NAMESPACE} AND ${notExtensionMember('pg_type', 't.oid')}
)
SELECT o.key, o.word, o.name, o.column_name, CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee) END AS grantee,
       x.privilege_type AS privilege, x.is_grantable AS grantable, false AS revoke
FROM objects o, aclexplode(o.acl) x
WHERE o.acl IS NOT NULL AND x.grantee <> o.owner
UNION ALL
SELECT o.key, o.word, o.name, NULL, 'PUBLIC', CASE WHEN o.word IN ('FUNCTION', 'PROCEDURE') THEN 'EXECUTE' ELSE 'USAGE' END, false, true
FROM objects o
WHERE o.word IN ('FUNCTION', 'PROCEDURE', 'TYPE', 'DOMAIN') AND o.acl IS NOT NULL AND NOT EXISTS (SELECT 1 FROM aclexplode(o.acl) x WHERE x.grantee = 0)
ORDER BY 1, 4, 5, 6`;

// What each user object needs to exist first, from pg_depend (normal and auto
// dependencies). Sub-objects are folded into what they are created with: a
// column default or CHECK into its table, a view's rule into the view, a
// composite type's relation into the type.
export const DEPENDENCIES_SQL = `
SELECT DISTINCT dependent, referenced FROM (
  SELECT CASE d.classid
           WHEN 'pg_class'::regclass THEN CASE WHEN c.relkind IN ('i', 'I') THEN 'idx:' || d.objid
                                               WHEN c.relkind = 'c' THEN 'type:' || c.reltype
                                               ELSE 'rel:' || d.objid END
           WHEN 'pg_type'::regclass THEN 'type:' || d.objid
           WHEN 'pg_proc'::regclass THEN 'fn:' || d.objid
           WHEN 'pg_attrdef'::regclass THEN 'rel:' || ad.adrelid
           WHEN 'pg_constraint'::regclass THEN CASE WHEN co.contypid <> 0 THEN 'type:' || co.contypid
                                                    WHEN co.contype = 'c' THEN 'rel:' || co.conrelid
                                                    ELSE 'con:' || d.objid END
           WHEN 'pg_rewrite'::regclass THEN CASE WHEN rw.rulename = '_RETURN' THEN 'rel:' || rw.ev_class ELSE 'rule:' || d.objid END
           WHEN 'pg_trigger'::regclass THEN 'trg:' || d.objid
           WHEN 'pg_policy'::regclass THEN 'pol:' || d.objid
           WHEN 'pg_ts_config'::regclass THEN 'tscfg:' || d.objid
           WHEN 'pg_ts_dict'::regclass THEN 'tsdict:' || d.objid
         END AS dependent,
         CASE d.refclassid
           WHEN 'pg_class'::regclass THEN CASE WHEN rc.relkind = 'c' THEN 'type:' || rc.reltype
                                               WHEN rc.relkind IN ('i', 'I') THEN 'idx:' || d.refobjid
                                               ELSE 'rel:' || d.refobjid END
           WHEN 'pg_type'::regclass THEN 'type:' || d.refobjid
           WHEN 'pg_proc'::regclass THEN 'fn:' || d.refobjid
           WHEN 'pg_collation'::regclass THEN 'coll:' || d.refobjid
           WHEN 'pg_opclass'::regclass THEN 'opc:' || d.refobjid
           WHEN 'pg_opfamily'::regclass THEN 'opf:' || d.refobjid
           WHEN 'pg_operator'::regclass THEN 'op:' || d.refobjid
           WHEN 'pg_language'::regclass THEN 'lang:' || d.refobjid
           WHEN 'pg_ts_config'::regclass THEN 'tscfg:' || d.refobjid
           WHEN 'pg_ts_dict'::regclass THEN 'tsdict:' || d.refobjid
         END AS referenced
  FROM pg_depend d
  LEFT JOIN pg_class c ON d.classid = 'pg_class'::regclass AND c.oid = d.objid
  LEFT JOIN pg_class rc ON d.refclassid = 'pg_class'::regclass AND rc.oid = d.refobjid
  LEFT JOIN pg_attrdef ad ON d.classid = 'pg_attrdef'::regclass AND ad.oid = d.objid
  LEFT JOIN pg_constraint co ON d.classid = 'pg_constraint'::regclass AND co.oid = d.objid
  LEFT JOIN pg_rewrite rw ON d.classid = 'pg_rewrite'::regclass AND rw.oid = d.objid
  WHERE d.deptype IN ('n', 'a') AND d.objid >= 16384
) deps
WHERE dependent IS NOT NULL AND referenced IS NOT NULL AND dependent <> referenced`;

export const EXTENSION_MEMBERS_SQL = `
SELECT CASE d.classid
         WHEN 'pg_class'::regclass THEN 'rel:'
         WHEN 'pg_type'::regclass THEN 'type:'
         WHEN 'pg_proc'::regclass THEN 'fn:'
         WHEN 'pg_collation'::regclass THEN 'coll:'
         WHEN 'pg_opclass'::regclass THEN 'opc:'
         WHEN 'pg_opfamily'::regclass THEN 'opf:'
         WHEN 'pg_operator'::regclass THEN 'op:'
         WHEN 'pg_language'::regclass THEN 'lang:'
         WHEN 'pg_ts_config'::regclass THEN 'tscfg:'
         WHEN 'pg_ts_dict'::regclass THEN 'tsdict:'
       END || d.objid AS key, x.extname AS extension
FROM pg_depend d JOIN pg_extension x ON x.oid = d.refobjid
WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'`;
