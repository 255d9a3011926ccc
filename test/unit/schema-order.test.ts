import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { topoSort } from '../../src/schema/toposort.js';
import { planSchema } from '../../src/schema/plan-schema.js';
import { SchemaError } from '../../src/schema/errors.js';
import { cascadingIndexDefinition, normalizeIndexDefinition } from '../../src/schema/definitions.js';
import { unmetNeeds, versionText } from '../../src/schema/versions.js';
import type {
  ColumnDef,
  IndexDef,
  ObjectKey,
  RelationName,
  CatalogObjects,
  TableDef,
  TypeInfo,
  ViewDef,
} from '../../src/catalog/objects.js';

/** A catalog built by hand: only what planning reads, OIDs chosen by the test. */
function catalog(parts: {
  version?: number;
  types?: TypeInfo[];
  tables?: TableDef[];
  views?: ViewDef[];
  indexes?: IndexDef[];
  deps?: Record<ObjectKey, ObjectKey[]>;
  members?: Record<ObjectKey, string>;
  extensions?: string[];
  available?: string[];
}): CatalogObjects {
  const tables = parts.tables ?? [];
  const views = parts.views ?? [];
  return {
    serverVersionNum: parts.version ?? 180000,
    schemas: new Set(['public', ...tables.map((t) => t.schema)]),
    schemaComments: new Map(),
    roles: new Set(),
    languages: new Map(),
    extensions: new Map((parts.extensions ?? []).map((name) => [name, { name, schema: 'public', version: '1' }])),
    availableExtensions: new Set(parts.available ?? []),
    collations: new Map(),
    types: new Map((parts.types ?? []).map((t) => [t.oid, t])),
    relations: new Map<number, RelationName>([
      ...tables.map((t): [number, RelationName] => [
        t.oid,
        { schema: t.schema, name: t.name, relkind: t.kind === 'partitioned' ? 'p' : 'r' },
      ]),
      ...views.map((v): [number, RelationName] => [v.oid, { schema: v.schema, name: v.name, relkind: 'v' }]),
    ]),
    tables: new Map(tables.map((t) => [t.oid, t])),
    views: new Map(views.map((v) => [v.oid, v])),
    sequences: new Map(),
    functions: new Map(),
    constraints: [],
    indexes: parts.indexes ?? [],
    triggers: [],
    policies: [],
    rules: [],
    grants: [],
    textSearchConfigs: new Map(),
    textSearchDictionaries: new Map(),
    dependencies: new Map(Object.entries(parts.deps ?? {})),
    extensionMembers: new Map(Object.entries(parts.members ?? {})),
  };
}

const empty = (version = 180000): CatalogObjects => catalog({ version });

function type(oid: number, name: string, kind: TypeInfo['kind'], extra: Partial<TypeInfo> = {}): TypeInfo {
  return {
    oid,
    schema: 'public',
    name,
    sqlName: `public.${name}`,
    kind,
    system: false,
    elementOid: undefined,
    relationOid: undefined,
    enumLabels: [],
    domain: undefined,
    attributes: [],
    range: undefined,
    comment: undefined,
    ...extra,
  };
}

function column(name: string, typeName: string, typeOid: number, extra: Partial<ColumnDef> = {}): ColumnDef {
  return {
    name,
    attnum: 1,
    type: typeName,
    typeOid,
    notNull: false,
    defaultExpr: undefined,
    generated: '',
    identity: '',
    collation: undefined,
    local: true,
    comment: undefined,
    ...extra,
  };
}

function table(oid: number, name: string, columns: ColumnDef[], extra: Partial<TableDef> = {}): TableDef {
  return {
    oid,
    schema: 'public',
    name,
    kind: 'table',
    unlogged: false,
    options: [],
    accessMethod: undefined,
    inherits: [],
    partitionOf: undefined,
    partitionBound: undefined,
    partitionKey: undefined,
    columns,
    rowTypeOid: oid + 1,
    comment: undefined,
    replicaIdentity: 'default',
    rowSecurity: false,
    forceRowSecurity: false,
    ...extra,
  };
}

const objects = (statements: ReadonlyArray<{ object: string }>): string[] => statements.map((s) => s.object);

describe('schema: topological order', () => {
  it('puts dependencies first and otherwise keeps the given order', () => {
    const nodes = ['table', 'domain', 'array', 'enum', 'other'];
    const deps: Record<string, string[]> = { table: ['array', 'domain'], array: ['domain'], domain: ['enum'] };
    const { ordered, cyclic } = topoSort(
      nodes,
      (n) => n,
      (n) => deps[n] ?? [],
    );
    assert.deepEqual(ordered, ['enum', 'domain', 'array', 'table', 'other']);
    assert.deepEqual(cyclic, []);
  });

  it('ignores dependencies outside the set and reports cycles with what hangs on them', () => {
    const deps: Record<string, string[]> = { a: ['b', 'elsewhere'], b: ['a'], c: ['b'], d: [] };
    const { ordered, cyclic } = topoSort(
      ['a', 'b', 'c', 'd'],
      (n) => n,
      (n) => deps[n] ?? [],
    );
    assert.deepEqual(ordered, ['d']);
    assert.deepEqual(cyclic, ['a', 'b', 'c']);
  });
});

describe('schema: plan order from the catalog', () => {
  // Listed dependents first, as OIDs may come out of a real catalog.
  const composite = type(10, 'shelf', 'composite', {
    attributes: [{ name: 'states', type: 'public.status_dom[]', typeOid: 11, collation: undefined, comment: undefined }],
  });
  const domainArray = type(11, '_status_dom', 'array', { elementOid: 12, sqlName: 'public.status_dom[]' });
  const domain = type(12, 'status_dom', 'domain', {
    domain: {
      baseType: 'public.status',
      baseTypeOid: 13,
      notNull: true,
      defaultExpr: "'new'::public.status",
      collation: undefined,
      constraints: [],
    },
  });
  const enumType = type(13, 'status', 'enum', { enumLabels: ['new', "it's done"] });
  const deps = { 'type:10': ['type:11'], 'type:12': ['type:13'], 'rel:100': ['type:10', 'type:12'] };
  const labels = table(100, 'labels', [column('shelf', 'public.shelf', 10), column('status', 'public.status_dom', 12, { notNull: true })]);

  it('creates types in dependency order (enum, domain over it, composite holding an array of the domain) before the table', () => {
    const source = catalog({ types: [composite, domainArray, domain, enumType], tables: [labels], deps });
    const plan = planSchema(source, empty(), { tables: [labels], recreate: false });
    assert.deepEqual(objects(plan.preData), ['type public.status', 'type public.status_dom', 'type public.shelf', 'table public.labels']);
    assert.equal(plan.preData[0]?.sql, `CREATE TYPE "public"."status" AS ENUM ('new', 'it''s done')`);
    assert.equal(plan.preData[1]?.sql, `CREATE DOMAIN "public"."status_dom" AS public.status DEFAULT 'new'::public.status NOT NULL`);
  });

  it('creates only what the target lacks', () => {
    const source = catalog({ types: [composite, domainArray, domain, enumType], tables: [labels], deps });
    const target = catalog({ types: [type(500, 'status', 'enum', { enumLabels: ['new'] })] });
    const plan = planSchema(source, target, { tables: [labels], recreate: false });
    assert.deepEqual(objects(plan.preData), ['type public.status_dom', 'type public.shelf', 'table public.labels']);
  });

  it('creates a partitioned table before its partitions, at every level, whatever the catalog order', () => {
    const leaf = table(3, 'm_eu_2024', [], { partitionOf: 2, partitionBound: "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')" });
    const mid = table(2, 'm_eu', [], {
      kind: 'partitioned',
      partitionOf: 1,
      partitionBound: "FOR VALUES IN ('eu')",
      partitionKey: 'RANGE (at)',
    });
    const root = table(1, 'm', [column('at', 'date', 1082)], { kind: 'partitioned', partitionKey: 'LIST (region)' });
    const source = catalog({ tables: [leaf, mid, root], deps: { 'rel:3': ['rel:2'], 'rel:2': ['rel:1'] } });
    const plan = planSchema(source, empty(), { tables: [root], recreate: false });
    assert.deepEqual(objects(plan.preData), ['table public.m', 'table public.m_eu', 'table public.m_eu_2024']);
    assert.equal(
      plan.preData[1]?.sql,
      `CREATE TABLE "public"."m_eu" PARTITION OF "public"."m" FOR VALUES IN ('eu') PARTITION BY RANGE (at)`,
    );
  });

  it('skips a view over a table that is not selected, and a view over that view, saying why', () => {
    const users = table(1, 'users', [column('id', 'integer', 23)]);
    const secret = table(2, 'secret', [column('id', 'integer', 23)]);
    const view = (oid: number, name: string): ViewDef => ({
      oid,
      schema: 'public',
      name,
      materialized: false,
      definition: 'SELECT 1',
      options: [],
      checkOption: undefined,
      populated: true,
      comment: undefined,
      columnComments: new Map(),
    });
    const source = catalog({
      tables: [users, secret],
      views: [view(3, 'v_users'), view(4, 'v_secret'), view(5, 'v_secret2')],
      deps: { 'rel:3': ['rel:1'], 'rel:4': ['rel:2'], 'rel:5': ['rel:4'] },
    });
    const plan = planSchema(source, empty(), { tables: [users], recreate: false });
    assert.deepEqual(objects(plan.postData), ['view public.v_users']);
    assert.deepEqual(plan.skipped, [
      { object: 'view public.v_secret', reason: 'needs table public.secret: not selected and not on the target', selection: true },
      {
        object: 'view public.v_secret2',
        reason: 'needs view public.v_secret: needs table public.secret: not selected and not on the target',
        selection: true,
      },
    ]);
  });
});

describe('schema: what the target cannot hold', () => {
  const citext = type(20, 'citext', 'base');
  const emails = table(1, 'emails', [column('address', 'public.citext', 20)]);
  const source = catalog({
    types: [citext],
    tables: [emails],
    deps: { 'rel:1': ['type:20'] },
    members: { 'type:20': 'citext' },
    extensions: ['citext'],
  });

  it('creates the extension a column type needs when the target can install it', () => {
    const plan = planSchema(source, catalog({ available: ['citext'] }), { tables: [emails], recreate: false });
    assert.equal(plan.preData[0]?.sql, 'CREATE EXTENSION IF NOT EXISTS "citext" WITH SCHEMA "public" CASCADE');
  });

  it('names the extension when the target cannot install it', () => {
    assert.throws(
      () => planSchema(source, empty(), { tables: [emails], recreate: false }),
      (error: unknown) =>
        error instanceof SchemaError &&
        error.code === 'EXTENSION_UNAVAILABLE' &&
        /extension citext/.test(error.message) &&
        /public\.emails/.test(error.details.join()),
    );
  });

  it('refuses a table that needs a newer target, and skips an index that does', () => {
    const virtual = table(1, 'rooms', [column('area', 'integer', 23, { generated: 'virtual', defaultExpr: '(w * h)' })]);
    assert.throws(
      () => planSchema(catalog({ tables: [virtual] }), empty(170000), { tables: [virtual], recreate: false }),
      (error: unknown) =>
        error instanceof SchemaError &&
        /PostgreSQL 18 or later is needed for virtual generated column area; the target runs 17/.test(error.details.join()),
    );
    const plain = table(1, 'codes', [column('code', 'text', 25)]);
    const index: IndexDef = {
      oid: 9,
      relationOid: 1,
      schema: 'public',
      name: 'codes_nnd',
      definition: 'CREATE UNIQUE INDEX codes_nnd ON public.codes USING btree (code) NULLS NOT DISTINCT',
      ofConstraint: false,
      attached: false,
      comment: undefined,
      replicaIdentity: false,
    };
    const plan = planSchema(catalog({ tables: [plain], indexes: [index] }), empty(140000), { tables: [plain], recreate: false });
    assert.deepEqual(plan.postData, []);
    assert.match(plan.skipped[0]?.reason ?? '', /PostgreSQL 15 or later is needed for NULLS NOT DISTINCT; the target runs 14/);
  });

  it('prints versions the way PostgreSQL names them', () => {
    assert.equal(versionText(150004), '15');
    assert.equal(versionText(90624), '9.6');
    assert.equal(unmetNeeds([{ feature: 'x', version: 150000 }], 150000), undefined);
  });
});

describe('schema: index definitions', () => {
  it('compares indexes without their names, quoted or not', () => {
    const a = normalizeIndexDefinition('CREATE UNIQUE INDEX "My ""odd"" idx" ON ONLY public.t USING btree (a)');
    const b = normalizeIndexDefinition('CREATE UNIQUE INDEX other ON public.t USING btree (a)');
    assert.equal(a, 'CREATE UNIQUE INDEX ON public.t USING btree (a)');
    assert.equal(a, b);
    assert.notEqual(normalizeIndexDefinition('CREATE INDEX x ON public.t USING btree (a)'), b);
  });

  it('lets an index of a partitioned table cascade to the partitions', () => {
    assert.equal(
      cascadingIndexDefinition('CREATE INDEX "ON ONLY" ON ONLY public.events USING btree (at)'),
      'CREATE INDEX "ON ONLY" ON public.events USING btree (at)',
    );
    assert.equal(cascadingIndexDefinition('CREATE INDEX i ON public.t USING btree (a)'), 'CREATE INDEX i ON public.t USING btree (a)');
  });
});
