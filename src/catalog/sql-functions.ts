/**
 * Catalog queries about functions (aggregates as CREATE AGGREGATE needs them)
 * and text search configurations and dictionaries.
 */
import { notExtensionMember, USER_NAMESPACE } from './sql-filters.js';

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
