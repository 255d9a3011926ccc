/**
 * The catalog's objects, assembled from the rows of the object queries
 * (sql-*.ts) that read-catalog.ts sends in one batch.
 */
import type {
  ColumnDef,
  ConstraintDef,
  ConstraintType,
  ExtensionInfo,
  FunctionDef,
  FunctionKind,
  IndexDef,
  ObjectKey,
  RelationName,
  CatalogObjects,
  SequenceDef,
  TableDef,
  TriggerDef,
  ViewDef,
  PolicyDef,
  PolicyCommand,
  RuleDef,
  GrantDef,
  ReplicaIdentity,
  TextSearchConfig,
  TextSearchDictionary,
} from './objects.js';
import { aggregateDefinition } from './aggregate-definition.js';
import { quoteIdent } from '../pg/ident.js';
import { bool, groupBy, num, optNum, optStr, str, strings, type Row } from './rows.js';
import { readTypes, toCollation } from './read-types.js';

/** `r`: the rows of each object query, by the name read-catalog.ts gives it. */
export function assembleObjects(version: number, r: Readonly<Record<string, Row[]>>): CatalogObjects {
  const get = (name: string): Row[] => r[name] ?? [];
  const extensions = new Map<string, ExtensionInfo>(
    get('extensions').map((x) => [str(x, 'name'), { name: str(x, 'name'), schema: str(x, 'schema'), version: str(x, 'version') }]),
  );
  const relations = new Map<number, RelationName>(
    get('relations').map((x) => [num(x, 'oid'), { schema: str(x, 'schema'), name: str(x, 'name'), relkind: str(x, 'relkind') }]),
  );
  const columnsByTable = groupBy(get('columns').map(toColumn), (c) => c.tableOid);

  const dependencies = new Map<ObjectKey, ObjectKey[]>();
  for (const row of get('dependencies')) {
    const list = dependencies.get(str(row, 'dependent'));
    if (list === undefined) dependencies.set(str(row, 'dependent'), [str(row, 'referenced')]);
    else list.push(str(row, 'referenced'));
  }
  const extensionMembers = new Map<ObjectKey, string>();
  for (const row of get('members')) if (row['key'] !== null) extensionMembers.set(str(row, 'key'), str(row, 'extension'));

  const tables = new Map<number, TableDef>();
  for (const row of get('tables')) {
    const oid = num(row, 'oid');
    tables.set(oid, {
      oid,
      schema: str(row, 'schema'),
      name: str(row, 'name'),
      kind: str(row, 'relkind') === 'p' ? 'partitioned' : str(row, 'relkind') === 'f' ? 'foreign' : 'table',
      unlogged: bool(row, 'unlogged'),
      options: strings(row, 'options'),
      accessMethod: optStr(row, 'access_method'),
      inherits: strings(row, 'inherits').map(Number),
      partitionOf: optNum(row, 'partition_of'),
      partitionBound: optStr(row, 'partition_bound'),
      partitionKey: optStr(row, 'partition_key'),
      columns: (columnsByTable.get(oid) ?? []).map((c) => c.column),
      rowTypeOid: num(row, 'row_type_oid'),
      comment: optStr(row, 'comment'),
      replicaIdentity: REPLICA_IDENTITIES[str(row, 'replica_identity')] ?? 'default',
      rowSecurity: bool(row, 'row_security'),
      forceRowSecurity: bool(row, 'force_row_security'),
    });
  }

  const views = new Map<number, ViewDef>();
  for (const row of get('views')) {
    const oid = num(row, 'oid');
    const options = strings(row, 'options');
    const check = options.find((o) => o.startsWith('check_option='))?.slice('check_option='.length);
    const columnComments = new Map<string, string>();
    for (const c of columnsByTable.get(oid) ?? []) if (c.column.comment !== undefined) columnComments.set(c.column.name, c.column.comment);
    views.set(oid, {
      oid,
      schema: str(row, 'schema'),
      name: str(row, 'name'),
      materialized: bool(row, 'materialized'),
      definition: str(row, 'definition').trim().replace(/;$/, ''),
      options: options.filter((o) => !o.startsWith('check_option=')),
      checkOption: check === 'local' || check === 'cascaded' ? check : undefined,
      populated: bool(row, 'populated'),
      comment: optStr(row, 'comment'),
      columnComments,
    });
  }

  return {
    serverVersionNum: version,
    schemas: new Set(get('schemas').map((x) => str(x, 'name'))),
    schemaComments: new Map(
      get('schemas')
        .filter((x) => x['comment'] !== null)
        .map((x) => [str(x, 'name'), str(x, 'comment')]),
    ),
    roles: new Set(get('roles').map((x) => str(x, 'name'))),
    languages: new Map(get('languages').map((x) => [num(x, 'oid'), str(x, 'name')])),
    extensions,
    availableExtensions: new Set(get('available').map((x) => str(x, 'name'))),
    collations: new Map(get('collations').map((x) => [num(x, 'oid'), toCollation(x)])),
    types: readTypes(r),
    relations,
    tables,
    views,
    sequences: new Map(get('sequences').map((x) => [num(x, 'oid'), toSequence(x)])),
    functions: readFunctions(get('functions'), get('aggregates')),
    constraints: get('constraints').map(toConstraint),
    indexes: get('indexes').map(toIndex),
    triggers: get('triggers').map(toTrigger),
    policies: get('policies').map(toPolicy),
    rules: get('rules').map((x): RuleDef => ({
      oid: num(x, 'oid'),
      relationOid: num(x, 'relation_oid'),
      name: str(x, 'name'),
      definition: str(x, 'definition').trim().replace(/;$/, ''),
      comment: optStr(x, 'comment'),
    })),
    grants: get('grants').map(toGrant),
    textSearchConfigs: new Map(get('tsConfigs').map((x) => [num(x, 'oid'), toTextSearchConfig(x)])),
    textSearchDictionaries: new Map(
      get('tsDictionaries').map((x): [number, TextSearchDictionary] => [
        num(x, 'oid'),
        {
          oid: num(x, 'oid'),
          schema: str(x, 'schema'),
          name: str(x, 'name'),
          template: str(x, 'template'),
          options: optStr(x, 'options'),
          comment: optStr(x, 'comment'),
        },
      ]),
    ),
    dependencies,
    extensionMembers,
  };
}

function toColumn(row: Row): { tableOid: number; column: ColumnDef } {
  const generated = str(row, 'generated');
  const identity = str(row, 'identity');
  return {
    tableOid: num(row, 'oid'),
    column: {
      name: str(row, 'name'),
      attnum: num(row, 'attnum'),
      type: str(row, 'type'),
      typeOid: num(row, 'type_oid'),
      notNull: bool(row, 'not_null'),
      defaultExpr: optStr(row, 'default_expr'),
      generated: generated === 's' ? 'stored' : generated === 'v' ? 'virtual' : '',
      identity: identity === 'a' ? 'always' : identity === 'd' ? 'by default' : '',
      collation: optNum(row, 'collation'),
      local: bool(row, 'local'),
      comment: optStr(row, 'comment'),
    },
  };
}

function toSequence(row: Row): SequenceDef {
  const ownerOid = optNum(row, 'owner_oid');
  const ownerColumn = optStr(row, 'owner_column');
  return {
    oid: num(row, 'oid'),
    schema: str(row, 'schema'),
    name: str(row, 'name'),
    dataType: str(row, 'data_type'),
    start: str(row, 'start'),
    increment: str(row, 'increment'),
    min: str(row, 'min'),
    max: str(row, 'max'),
    cache: str(row, 'cache'),
    cycle: bool(row, 'cycle'),
    unlogged: bool(row, 'unlogged'),
    ownedBy: ownerOid !== undefined && ownerColumn !== undefined ? { tableOid: ownerOid, column: ownerColumn } : undefined,
    identity: bool(row, 'identity'),
    comment: optStr(row, 'comment'),
  };
}

const FUNCTION_KINDS: Readonly<Record<string, FunctionKind>> = { f: 'function', p: 'procedure', a: 'aggregate', w: 'window' };

function readFunctions(rows: readonly Row[], aggregateRows: readonly Row[]): Map<number, FunctionDef> {
  const aggregates = new Map(aggregateRows.map((a) => [num(a, 'oid'), a]));
  return new Map(rows.map((x) => [num(x, 'oid'), toFunction(x, aggregates.get(num(x, 'oid')))]));
}

function toFunction(row: Row, aggregate: Row | undefined): FunctionDef {
  const name = `${quoteIdent(str(row, 'schema'))}.${quoteIdent(str(row, 'name'))}`;
  const definition = aggregate === undefined ? optStr(row, 'definition') : aggregateDefinition(name, aggregate, str(row, 'parallel'));
  return {
    oid: num(row, 'oid'),
    schema: str(row, 'schema'),
    name: str(row, 'name'),
    signature: str(row, 'signature'),
    kind: FUNCTION_KINDS[str(row, 'prokind')] ?? 'function',
    definition: definition?.trimEnd(),
    sqlBody: bool(row, 'sql_body'),
    comment: optStr(row, 'comment'),
    identityArgs: str(row, 'identity_args'),
    languageOid: num(row, 'language_oid'),
  };
}

const REPLICA_IDENTITIES: Readonly<Record<string, ReplicaIdentity>> = { d: 'default', n: 'nothing', f: 'full', i: 'index' };
const POLICY_COMMANDS: Readonly<Record<string, PolicyCommand>> = { '*': 'ALL', r: 'SELECT', a: 'INSERT', w: 'UPDATE', d: 'DELETE' };

function toPolicy(row: Row): PolicyDef {
  return {
    oid: num(row, 'oid'),
    relationOid: num(row, 'relation_oid'),
    name: str(row, 'name'),
    permissive: bool(row, 'permissive'),
    command: POLICY_COMMANDS[str(row, 'command')] ?? 'ALL',
    roles: strings(row, 'roles'),
    using: optStr(row, 'qual'),
    withCheck: optStr(row, 'with_check'),
    comment: optStr(row, 'comment'),
  };
}

function toTextSearchConfig(row: Row): TextSearchConfig {
  const mappings = Array.isArray(row['mappings']) ? (row['mappings'] as Array<{ token?: unknown; dictionaries?: unknown }>) : [];
  return {
    oid: num(row, 'oid'),
    schema: str(row, 'schema'),
    name: str(row, 'name'),
    parser: str(row, 'parser'),
    mappings: mappings.map((m) => ({
      token: String(m.token ?? ''),
      dictionaries: Array.isArray(m.dictionaries) ? m.dictionaries.map(String) : [],
    })),
    comment: optStr(row, 'comment'),
  };
}

function toGrant(row: Row): GrantDef {
  return {
    key: str(row, 'key'),
    word: str(row, 'word'),
    name: str(row, 'name'),
    column: optStr(row, 'column_name'),
    grantee: str(row, 'grantee'),
    privilege: str(row, 'privilege'),
    grantable: bool(row, 'grantable'),
    revoke: bool(row, 'revoke'),
  };
}

const CONSTRAINT_TYPES: Readonly<Record<string, ConstraintType>> = {
  c: 'check',
  p: 'primary key',
  u: 'unique',
  x: 'exclusion',
  f: 'foreign key',
};

function toConstraint(row: Row): ConstraintDef {
  return {
    oid: num(row, 'oid'),
    tableOid: num(row, 'table_oid'),
    name: str(row, 'name'),
    type: CONSTRAINT_TYPES[str(row, 'contype')] ?? 'check',
    definition: str(row, 'definition'),
    validated: bool(row, 'validated'),
    local: bool(row, 'local'),
    cloned: bool(row, 'cloned'),
    referencedOid: optNum(row, 'referenced_oid'),
    comment: optStr(row, 'comment'),
  };
}

function toIndex(row: Row): IndexDef {
  return {
    oid: num(row, 'oid'),
    relationOid: num(row, 'relation_oid'),
    schema: str(row, 'schema'),
    name: str(row, 'name'),
    definition: str(row, 'definition'),
    ofConstraint: bool(row, 'of_constraint'),
    attached: bool(row, 'attached'),
    comment: optStr(row, 'comment'),
    replicaIdentity: bool(row, 'replica_identity'),
  };
}

function toTrigger(row: Row): TriggerDef {
  const enabled = str(row, 'enabled');
  return {
    oid: num(row, 'oid'),
    relationOid: num(row, 'relation_oid'),
    name: str(row, 'name'),
    definition: str(row, 'definition'),
    functionOid: num(row, 'function_oid'),
    enabled: enabled === 'D' || enabled === 'R' || enabled === 'A' ? enabled : 'O',
    comment: optStr(row, 'comment'),
  };
}
