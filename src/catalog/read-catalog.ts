/**
 * readCatalog: one database's catalog in one read-only transaction and four
 * round trips whatever its size (BEGIN; the server version, which picks the
 * version-dependent queries; every query of the scope sent as one batch;
 * COMMIT), with search_path = pg_catalog so every user object in the rendered
 * texts comes out schema-qualified and compares equal across servers.
 */
import type pg from 'pg';
import type { Client } from '../pg/connect.js';
import { withTransaction } from '../pg/connect.js';
import { SchemaError } from './errors.js';
import type { Catalog, CatalogScope } from './model.js';
import { assembleObjects } from './read-objects.js';
import type { Row } from './rows.js';
import {
  AVAILABLE_EXTENSIONS_SQL,
  DEPENDENCIES_SQL,
  EXTENSION_MEMBERS_SQL,
  EXTENSIONS_SQL,
  LANGUAGES_SQL,
  ROLES_SQL,
  SCHEMAS_SQL,
} from './sql-database.js';
import { AGGREGATES_SQL, functionsSql, TS_CONFIGS_SQL, TS_DICTIONARIES_SQL } from './sql-functions.js';
import {
  COLUMNS_SQL,
  CONSTRAINTS_SQL,
  INDEXES_SQL,
  RELATIONS_SQL,
  RULES_SQL,
  SEQUENCES_SQL,
  TABLES_SQL,
  triggersSql,
  VIEWS_SQL,
} from './sql-relations.js';
import { GRANTS_SQL, POLICIES_SQL } from './sql-security.js';
import { COLLATIONS_SQL, COMPOSITE_ATTRIBUTES_SQL, DOMAIN_CONSTRAINTS_SQL, ENUM_LABELS_SQL, RANGES_SQL, TYPES_SQL } from './sql-types.js';
import {
  assembleTables,
  COLUMN_FACTS_SQL,
  FOREIGN_KEYS_SQL,
  SEQUENCE_LINKS_SQL,
  TABLE_FACTS_SQL,
  UNIQUE_KEYS_SQL,
  type ColumnRow,
  type ForeignKeyRow,
  type SequenceRow,
  type TableCatalog,
  type TableRow,
  type UniqueRow,
} from './table-facts.js';

/** The oldest server the queries support (pg_partition_root, attgenerated). */
export const MIN_SERVER_VERSION = 120000;

/** A query of the batch and the name its rows are filed under. */
type NamedQuery = readonly [name: string, sql: string];

const TABLE_FACT_QUERIES: readonly NamedQuery[] = [
  ['tableFacts', TABLE_FACTS_SQL],
  ['columnFacts', COLUMN_FACTS_SQL],
  ['uniqueKeys', UNIQUE_KEYS_SQL],
  ['foreignKeys', FOREIGN_KEYS_SQL],
  ['sequenceLinks', SEQUENCE_LINKS_SQL],
];

function objectQueries(version: number): NamedQuery[] {
  return [
    ['schemas', SCHEMAS_SQL],
    ['extensions', EXTENSIONS_SQL],
    ['available', AVAILABLE_EXTENSIONS_SQL],
    ['collations', COLLATIONS_SQL],
    ['types', TYPES_SQL],
    ['enums', ENUM_LABELS_SQL],
    ['domainConstraints', DOMAIN_CONSTRAINTS_SQL],
    ['attributes', COMPOSITE_ATTRIBUTES_SQL],
    ['ranges', RANGES_SQL],
    ['relations', RELATIONS_SQL],
    ['tables', TABLES_SQL],
    ['columns', COLUMNS_SQL],
    ['constraints', CONSTRAINTS_SQL],
    ['indexes', INDEXES_SQL],
    ['triggers', triggersSql(version)],
    ['sequences', SEQUENCES_SQL],
    ['views', VIEWS_SQL],
    ['functions', functionsSql(version)],
    ['aggregates', AGGREGATES_SQL],
    ['policies', POLICIES_SQL],
    ['rules', RULES_SQL],
    ['grants', GRANTS_SQL],
    ['roles', ROLES_SQL],
    ['tsConfigs', TS_CONFIGS_SQL],
    ['tsDictionaries', TS_DICTIONARIES_SQL],
    ['languages', LANGUAGES_SQL],
    ['dependencies', DEPENDENCIES_SQL],
    ['members', EXTENSION_MEMBERS_SQL],
  ];
}

export function readCatalog(client: Client, scope: 'tables'): Promise<TableCatalog>;
export function readCatalog(client: Client, scope: 'all'): Promise<Catalog>;
export function readCatalog(client: Client, scope: CatalogScope): Promise<TableCatalog | Catalog>;
export async function readCatalog(client: Client, scope: CatalogScope): Promise<TableCatalog | Catalog> {
  return withTransaction(
    client,
    async () => {
      const settings = await client.query<{ v: string }>(
        "SELECT set_config('search_path', 'pg_catalog', true), current_setting('server_version_num') AS v",
      );
      const version = Number(settings.rows[0]?.v ?? 0);
      if (version < MIN_SERVER_VERSION) {
        throw new SchemaError(
          'SERVER_TOO_OLD',
          `PostgreSQL ${Math.floor(version / 10000)} is older than pgtwin supports for schema work (12 or later).`,
          {
            nextStep: 'Upgrade the server, or create the schema with pg_dump --schema-only and run pgtwin sync on it.',
          },
        );
      }
      const rows = await runBatch(client, scope === 'all' ? [...TABLE_FACT_QUERIES, ...objectQueries(version)] : TABLE_FACT_QUERIES);
      const tables = assembleTables(version, {
        tables: (rows['tableFacts'] ?? []) as unknown as TableRow[],
        columns: (rows['columnFacts'] ?? []) as unknown as ColumnRow[],
        uniques: (rows['uniqueKeys'] ?? []) as unknown as UniqueRow[],
        foreignKeys: (rows['foreignKeys'] ?? []) as unknown as ForeignKeyRow[],
        sequences: (rows['sequenceLinks'] ?? []) as unknown as SequenceRow[],
      });
      return scope === 'all' ? { ...tables, objects: assembleObjects(version, rows) } : tables;
    },
    'BEGIN READ ONLY',
  );
}

/**
 * Sends every query in one simple-protocol message: the server runs them in
 * order and the driver hands back one result per statement, so the catalog
 * costs one round trip however many kinds of object it reads.
 */
async function runBatch(client: Client, queries: readonly NamedQuery[]): Promise<Record<string, Row[]>> {
  const sent = queries.map(([, sql]) => sql.trim()).join(';\n');
  // Without parameters the driver uses the simple protocol, where a multi-statement text returns an array of results.
  const answer = (await client.query(sent)) as unknown as pg.QueryResult<Row> | pg.QueryResult<Row>[];
  const results = Array.isArray(answer) ? answer : [answer];
  if (results.length !== queries.length) {
    throw new Error(`the catalog batch returned ${results.length} results for ${queries.length} queries`);
  }
  return Object.fromEntries(queries.map(([name], i) => [name, results[i]?.rows ?? []]));
}
