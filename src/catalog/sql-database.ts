/**
 * Catalog queries about the database as a whole: its schemas, roles,
 * languages and extensions, and pg_depend (what each object needs first,
 * which objects an extension brings).
 */
import { USER_NAMESPACE } from './sql-filters.js';

export const SCHEMAS_SQL = `
SELECT n.nspname AS name, obj_description(n.oid, 'pg_namespace') AS comment FROM pg_namespace n WHERE ${USER_NAMESPACE} ORDER BY 1`;

export const ROLES_SQL = `SELECT rolname AS name FROM pg_roles`;

export const LANGUAGES_SQL = `SELECT l.oid::int8 AS oid, l.lanname AS name FROM pg_language l`;

export const EXTENSIONS_SQL = `
SELECT x.extname AS name, n.nspname AS schema, x.extversion AS version
FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace ORDER BY 1`;

export const AVAILABLE_EXTENSIONS_SQL = `SELECT name FROM pg_available_extensions`;

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
