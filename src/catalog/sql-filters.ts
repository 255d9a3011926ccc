/**
 * What counts as a user object in every catalog query: not the system's, not
 * pgtwin's own state, not a temporary relation, not an extension's member.
 */

/** Schemas of user objects: not the system's, not pgtwin's own state. */
export const USER_NAMESPACE = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgtwin')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`;

export const SYSTEM_NAMESPACE = `n.nspname IN ('pg_catalog', 'information_schema')`;

/** Not created by an extension (CREATE EXTENSION brings those back). */
export function notExtensionMember(catalog: string, oid: string): string {
  return `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${catalog}'::regclass AND e.objid = ${oid} AND e.deptype = 'e')`;
}

/** A relation of the user: not temporary, not an extension's. */
export const USER_RELATION = `${USER_NAMESPACE} AND c.relpersistence <> 't' AND ${notExtensionMember('pg_class', 'c.oid')}`;
