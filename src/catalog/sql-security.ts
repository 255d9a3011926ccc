/**
 * Catalog queries about access: row-level security policies and the
 * privileges granted on user objects.
 */
import { notExtensionMember, USER_NAMESPACE, USER_RELATION } from './sql-filters.js';

/** Row-level security policies; roles by name (`public` for PUBLIC), expressions as the source deparses them. */
export const POLICIES_SQL = `
SELECT p.oid::int8 AS oid, p.polrelid::int8 AS relation_oid, p.polname AS name, p.polpermissive AS permissive, p.polcmd AS command,
       array(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r)::text END FROM unnest(p.polroles) r ORDER BY 1)::text[] AS roles,
       pg_get_expr(p.polqual, p.polrelid) AS qual, pg_get_expr(p.polwithcheck, p.polrelid) AS with_check,
       obj_description(p.oid, 'pg_policy') AS comment
FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE ${USER_RELATION}
ORDER BY n.nspname, c.relname, p.polname`;

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
