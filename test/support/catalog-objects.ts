/**
 * Every user object of a database as `kind name -> definition`, read with
 * PostgreSQL's own pg_get_*def functions and pg_describe_object (no OIDs, no
 * pgtwin code), so that a source and its twin can be compared object by
 * object. pgtwin's own state schema is left out.
 */
import type pg from 'pg';

const USER = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgtwin') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`;
const NOT_EXT = (cls: string, oid: string): string =>
  `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${cls}'::regclass AND e.objid = ${oid} AND e.deptype = 'e')`;

const QUERIES: Readonly<Record<string, string>> = {
  schema: `SELECT n.nspname AS name, coalesce(obj_description(n.oid, 'pg_namespace'), '') AS def FROM pg_namespace n WHERE ${USER}`,
  extension: `SELECT extname AS name, extnamespace::regnamespace::text AS def FROM pg_extension`,
  collation: `SELECT c.oid::regcollation::text AS name, c.collprovider::text || ' ' || coalesce(c.collcollate, '') || ' ' || c.collisdeterministic AS def
              FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace WHERE ${USER} AND ${NOT_EXT('pg_collation', 'c.oid')}`,
  type: `SELECT format_type(t.oid, NULL) AS name,
                t.typtype::text || ' ' || coalesce(format_type(nullif(t.typbasetype, 0), t.typtypmod), '') || ' ' || t.typnotnull || ' ' || coalesce(t.typdefault, '') || ' ' ||
                coalesce((SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid), '') || ' ' ||
                coalesce((SELECT string_agg(k.conname || ':' || pg_get_constraintdef(k.oid), ',' ORDER BY k.conname) FROM pg_constraint k WHERE k.contypid = t.oid), '') || ' ' ||
                coalesce((SELECT string_agg(a.attname || ':' || format_type(a.atttypid, a.atttypmod), ',' ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND t.typtype = 'c'), '') || ' ' ||
                coalesce((SELECT format_type(r.rngsubtype, NULL) FROM pg_range r WHERE r.rngtypid = t.oid), '') AS def
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
         WHERE ${USER} AND t.typtype IN ('e', 'd', 'r', 'c') AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c') AND ${NOT_EXT('pg_type', 't.oid')}`,
  'text search configuration': `SELECT c.oid::regconfig::text AS name, c.cfgparser::text || ' ' ||
           coalesce((SELECT string_agg(m.maptokentype || ':' || m.mapdict::regdictionary::text, ',' ORDER BY m.maptokentype, m.mapseqno) FROM pg_ts_config_map m WHERE m.mapcfg = c.oid), '') AS def
           FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace WHERE ${USER}`,
  'text search dictionary': `SELECT d.oid::regdictionary::text AS name, d.dicttemplate::text || ' ' || coalesce(d.dictinitoption, '') AS def
           FROM pg_ts_dict d JOIN pg_namespace n ON n.oid = d.dictnamespace WHERE ${USER}`,
  table: `SELECT c.oid::regclass::text AS name,
                 c.relkind::text || ' ' || c.relpersistence::text || ' ' || c.relreplident::text || ' rls=' || c.relrowsecurity || ',' || c.relforcerowsecurity || ' ' ||
                 coalesce(pg_get_partkeydef(c.oid), '') || ' ' || coalesce(pg_get_expr(c.relpartbound, c.oid), '') || ' inherits=' ||
                 coalesce((SELECT string_agg(i.inhparent::regclass::text, ',' ORDER BY i.inhseqno) FROM pg_inherits i WHERE i.inhrelid = c.oid), '') || ' ' ||
                 (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull || ' ' || a.attidentity::text || a.attgenerated::text || ' ' ||
                                    coalesce(pg_get_expr(d.adbin, d.adrelid), ''), ', ' ORDER BY a.attnum)
                  FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS def
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND ${USER}`,
  constraint: `SELECT k.conrelid::regclass::text || ' ' || k.conname AS name, pg_get_constraintdef(k.oid) AS def
               FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
               -- NOT NULL constraints (18+) are compared through attnotnull: a partition created with PARTITION OF names them after its parent
               WHERE k.contype <> 'n' AND ${USER}`,
  index: `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
          FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER}`,
  view: `SELECT c.oid::regclass::text AS name, c.relkind::text || ' ' || pg_get_viewdef(c.oid) AS def
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('v', 'm') AND ${USER}`,
  'populated matview': `SELECT c.oid::regclass::text AS name, c.relispopulated::text AS def
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'm' AND ${USER}`,
  sequence: `SELECT s.seqrelid::regclass::text AS name, format_type(s.seqtypid, NULL) || ' ' || s.seqstart || ' ' || s.seqincrement || ' ' || s.seqmin || ' ' || s.seqmax || ' ' || s.seqcycle AS def
             FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER}`,
  function: `SELECT p.oid::regprocedure::text AS name,
                    CASE WHEN p.prokind = 'a' THEN (SELECT a.aggtransfn::regproc::text || ' ' || format_type(a.aggtranstype, NULL) || ' ' || coalesce(a.agginitval, '') || ' ' || a.aggfinalfn::regproc::text
                                                    FROM pg_aggregate a WHERE a.aggfnoid = p.oid)
                         ELSE pg_get_functiondef(p.oid) END AS def
             FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${USER} AND ${NOT_EXT('pg_proc', 'p.oid')}`,
  trigger: `SELECT t.tgrelid::regclass::text || ' ' || t.tgname AS name, pg_get_triggerdef(t.oid) || ' ' || t.tgenabled::text AS def
            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal AND ${USER}`,
  policy: `SELECT schemaname || '.' || tablename || ' ' || policyname AS name, permissive || ' ' || roles::text || ' ' || cmd || ' ' || coalesce(qual, '') || ' ' || coalesce(with_check, '') AS def
           FROM pg_policies WHERE schemaname <> 'pgtwin'`,
  rule: `SELECT schemaname || '.' || tablename || ' ' || rulename AS name, definition AS def FROM pg_rules WHERE schemaname NOT IN ('pg_catalog', 'pgtwin')`,
  comment: `SELECT pg_describe_object(d.classoid, d.objoid, d.objsubid) AS name, d.description AS def FROM pg_description d
            WHERE d.objoid >= 16384 AND pg_describe_object(d.classoid, d.objoid, d.objsubid) NOT LIKE '%pgtwin.%' AND pg_describe_object(d.classoid, d.objoid, d.objsubid) NOT LIKE 'schema pgtwin'`,
  grant: `SELECT x.what || ' to ' || CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END || ' ' || a.privilege_type AS name, a.is_grantable::text AS def
          FROM (SELECT 'relation ' || c.oid::regclass::text AS what, c.relacl AS acl, c.relowner AS owner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER}
                UNION ALL SELECT 'function ' || p.oid::regprocedure::text, p.proacl, p.proowner FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${USER}
                UNION ALL SELECT 'schema ' || n.nspname, n.nspacl, n.nspowner FROM pg_namespace n WHERE ${USER}) x, aclexplode(x.acl) a
          WHERE a.grantee <> x.owner`,
};

/** `kind name -> definition` for every user object. */
export async function catalogObjects(client: pg.Client): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await client.query('BEGIN');
  try {
    await client.query('SET LOCAL search_path = pg_catalog');
    for (const [kind, sql] of Object.entries(QUERIES)) {
      for (const row of (await client.query<{ name: string; def: string | null }>(sql)).rows) out.set(`${kind} ${row.name}`, row.def ?? '');
    }
  } finally {
    await client.query('COMMIT');
  }
  return out;
}

/** The objects that differ, as lines a failing assertion can show. */
export function catalogDifferences(source: ReadonlyMap<string, string>, target: ReadonlyMap<string, string>): string[] {
  const lines: string[] = [];
  for (const [name, def] of source) {
    const other = target.get(name);
    if (other === undefined) lines.push(`missing on the target: ${name}`);
    else if (other !== def) lines.push(`differs: ${name}\n    source: ${def}\n    target: ${other}`);
  }
  for (const name of target.keys()) if (!source.has(name)) lines.push(`only on the target: ${name}`);
  return lines;
}
