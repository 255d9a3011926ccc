/**
 * planSchema: the DDL that gives the target what the source's selected tables
 * need, and the other objects of the twin (see schema-objects.ts), and only
 * what it lacks, in dependency order.
 *
 * Every created object is a node ordered by pg_depend (a function over a
 * table's row type comes after the table; a table whose default calls a
 * function after the function); kinds only break ties. Function bodies are
 * not in pg_depend (unless BEGIN ATOMIC): they are created with
 * check_function_bodies off, as pg_dump does.
 *
 * Pre-data (one transaction, before the rows; every statement but a table's
 * under its own savepoint, so a failing function is reported and does not
 * undo the tables): schemas, extensions, then collations, types, sequences,
 * functions, aggregates and tables in dependency order, sequence ownership and
 * comments.
 *
 * Post-data (one object per transaction, after the rows): keys and indexes,
 * REPLICA IDENTITY, foreign keys, then views, materialized views and what
 * needs them, triggers, rules, policies and RLS, grants, comments, and the
 * materialized view refreshes last.
 *
 * A selected table that cannot be created stops the plan with every reason at
 * once; any other object that cannot be created is listed in `skipped`.
 */
import { displayName, quoteQualified } from '../pg/ident.js';
import type { DdlStatement, SchemaPlan, Skipped } from './ddl.js';
import { SchemaError } from './errors.js';
import type { ObjectKey, CatalogObjects } from '../catalog/index.js';
import { canonicalKey } from './object-keys.js';
import { planExtras, planGrants, planSchemaComments, type Extras } from './plan-extras.js';
import { planIndexes, planTablePostData, planTriggers } from './plan-post-data.js';
import { renderRefresh, renderView, renderViewComments } from './render-post.js';
import { renderFunctionComment } from './render-security.js';
import { renderOwnedBy, renderTable } from './render-table.js';
import {
  renderCollation,
  renderComment,
  renderExtension,
  renderSchema,
  renderSequence,
  renderTextSearchConfig,
  renderTextSearchDictionary,
  renderType,
  renderTypeComments,
} from './render-types.js';
import { Resolver, type NodeKind, type PlannedNode } from './resolver.js';
import { objectCandidates } from './schema-objects.js';
import { buildScope, type SchemaScope, type SchemaSelection } from './schema-scope.js';
import { topoSort } from './toposort.js';
import { groups } from '../catalog/index.js';

export type { SchemaSelection } from './schema-scope.js';

const PRE_DATA_RANK: Readonly<Record<NodeKind, number>> = {
  collation: 0,
  tsdict: 1,
  tsconfig: 1,
  type: 1,
  sequence: 2,
  function: 3,
  table: 4,
  view: 5,
};

export function planSchema(source: CatalogObjects, target: CatalogObjects, selection: SchemaSelection): SchemaPlan {
  const scope = buildScope(source, target, selection);
  const resolver = new Resolver(source, scope.target, scope);
  checkTables(source, scope, resolver);
  const skipped: Skipped[] = [];
  const candidates = objectCandidates(source, scope, selection.wholeDatabase === true);
  for (const name of candidates.extensions) {
    const d = resolver.wantExtension(name);
    if (!d.ok) skipped.push({ object: `extension ${name}`, reason: d.reason });
  }
  // Objects the twin has once the plan has run (created now or already there): their grants are checked.
  const twinKeys = new Set<ObjectKey>([...scope.inScope].map((oid) => `rel:${oid}`));
  for (const key of candidates.keys) {
    const d = resolver.resolve(key);
    if (d.ok) twinKeys.add(key);
    else skipped.push({ object: resolver.describe(key), reason: d.reason, ...(d.selection ? { selection: true as const } : {}) });
  }
  const post = decidePostData(source, scope, resolver, skipped);
  return assemble(source, scope, resolver, post, skipped, candidates.schemas, twinKeys);
}

interface PostDataDecisions {
  readonly keys: readonly DdlStatement[];
  readonly foreignKeys: readonly DdlStatement[];
  readonly triggers: readonly DdlStatement[];
  readonly extras: Extras;
  /** Indexes of new materialized views, by view OID. */
  readonly viewIndexes: ReadonlyMap<number, readonly DdlStatement[]>;
}

function decidePostData(source: CatalogObjects, scope: SchemaScope, resolver: Resolver, skipped: Skipped[]): PostDataDecisions {
  const tablePost = planTablePostData(source, scope, resolver, skipped);
  const views = [...resolver.planned.values()]
    .filter((n) => n.kind === 'view')
    .map((n) => ({ oid: n.oid, schema: n.schema, name: source.relations.get(n.oid)?.name ?? '' }));
  const triggerRelations = [
    ...scope.tables.map((t) => ({ oid: t.oid, schema: t.schema, name: t.name, created: scope.creates.has(t.oid) })),
    ...views.map((v) => ({ ...v, created: true })),
  ];
  const triggers = planTriggers(source, triggerRelations, scope.target, resolver, skipped);
  const created = scope.tables.filter((t) => scope.creates.has(t.oid));
  const extras = planExtras(source, created, views, scope.target, resolver, skipped);
  const viewIndexes = new Map<number, DdlStatement[]>();
  for (const node of views) {
    const view = source.views.get(node.oid);
    if (view?.materialized === true) viewIndexes.set(node.oid, planIndexes(source, view, false, true, scope.target, resolver, skipped));
  }
  return { ...tablePost, triggers, extras, viewIndexes };
}

function assemble(
  source: CatalogObjects,
  scope: SchemaScope,
  resolver: Resolver,
  post: PostDataDecisions,
  skipped: Skipped[],
  wantedSchemas: readonly string[],
  twinKeys: ReadonlySet<ObjectKey>,
): SchemaPlan {
  const planned = [...resolver.planned.values()];
  const { ordered, cyclic } = orderNodes(source, planned, resolver, skipped);
  const postKeys = postDataNodes(source, resolver, new Set(cyclic.map((n) => n.key)));
  const preOrder = ordered.filter((n) => !postKeys.has(n.key));
  const postOrder = ordered.filter((n) => postKeys.has(n.key));

  const preData: DdlStatement[] = [];
  if (scope.drops.length > 0) {
    preData.push({
      kind: 'drop-table',
      object: scope.drops.map((t) => `table ${displayName(t)}`).join(', '),
      sql: `DROP TABLE ${scope.drops.map(quoteQualified).join(', ')} CASCADE`,
    });
  }
  const neededSchemas = new Set([
    ...planned.map((n) => n.schema),
    ...[...resolver.extensions.values()].map((x) => x.schema),
    ...wantedSchemas,
  ]);
  const createdSchemas = [...neededSchemas].sort().filter((schema) => !scope.target.hasSchema(schema));
  for (const schema of createdSchemas) preData.push({ kind: 'schema', object: `schema ${schema}`, sql: renderSchema(schema) });
  for (const x of resolver.extensions.values()) preData.push({ kind: 'extension', object: `extension ${x.name}`, sql: renderExtension(x) });
  const comments: DdlStatement[] = [];
  for (const node of preOrder) preData.push(...nodeStatements(source, scope, node, comments));
  preData.push(...ownedBy(source, scope, resolver), ...comments, ...planSchemaComments(source, createdSchemas));

  const postData: DdlStatement[] = [...post.keys, ...post.extras.replicaIdentity, ...post.foreignKeys];
  for (const node of postOrder) {
    const nodeComments: DdlStatement[] = [];
    postData.push(...nodeStatements(source, scope, node, nodeComments), ...nodeComments, ...(post.viewIndexes.get(node.oid) ?? []));
  }
  postData.push(...post.triggers, ...post.extras.rules, ...post.extras.policies);
  const grantKeys = new Set<ObjectKey>([...twinKeys, ...ordered.map((n) => n.key), ...[...neededSchemas].map((s) => `nsp:${s}`)]);
  postData.push(...planGrants(source, grantKeys, scope.target, skipped), ...post.extras.comments);
  // Refreshed last: a materialized view may read views, functions and tables made just before.
  for (const node of postOrder) {
    const view = node.kind === 'view' ? source.views.get(node.oid) : undefined;
    if (view?.materialized === true && view.populated)
      postData.push({ kind: 'refresh', object: `materialized view ${displayName(view)}`, sql: renderRefresh(view) });
  }
  const standaloneSequences = ordered
    .filter((n) => n.kind === 'sequence' && source.sequences.get(n.oid)?.ownedBy === undefined)
    .map((n) => ({ schema: n.schema, name: source.relations.get(n.oid)?.name ?? '' }));
  return {
    preData,
    postData,
    skipped,
    drops: [...scope.drops.map((t) => `table ${displayName(t)}`), ...scope.closure.alsoDropped],
    standaloneSequences,
  };
}

/** Every selected table must be creatable; otherwise nothing is, and every reason is named at once. */
function checkTables(source: CatalogObjects, scope: SchemaScope, resolver: Resolver): void {
  const problems: string[] = [];
  for (const table of scope.tables) {
    if (!scope.creates.has(table.oid)) continue;
    const d = resolver.resolve(`rel:${table.oid}`);
    if (!d.ok) problems.push(`table ${displayName(table)}: ${d.reason}`);
  }
  for (const oid of scope.creates) {
    // Sequences a new table owns without naming them in a default (OWNED BY only) come along.
    for (const s of groups(source).ownedSequences.get(oid) ?? []) if (!s.identity) resolver.resolve(`rel:${s.oid}`);
  }
  if (problems.length === 0) return;
  const extensions = [...resolver.unavailableExtensions];
  if (extensions.length > 0) {
    throw new SchemaError(
      'EXTENSION_UNAVAILABLE',
      `The target server lacks the extension${extensions.length === 1 ? '' : 's'} ${extensions.join(', ')} that the selected tables need.`,
      {
        details: problems,
        nextStep: `Install ${extensions.join(', ')} on the target server (the operating system package that provides ${extensions.length === 1 ? 'it' : 'them'}), or leave those tables out with --exclude.`,
      },
    );
  }
  throw new SchemaError(
    'SCHEMA_NOT_CREATABLE',
    `${problems.length === 1 ? 'A selected table' : `${problems.length} selected tables`} cannot be created on the target.`,
    {
      details: problems,
      nextStep: 'Fix what is named above on the target (or use a newer target server), or leave those tables out with --exclude.',
    },
  );
}

/**
 * Views are created after the data (so are materialized views, refreshed at
 * the end); anything other than a table that needs a view, directly or
 * through other objects, waits for them, unless a table needs it.
 */
function postDataNodes(source: CatalogObjects, resolver: Resolver, cyclic: ReadonlySet<string>): Set<string> {
  // What a table needs (a default calling a function that reads a view) is made before the table, views included.
  const neededByTables = new Set<string>();
  const pending = [...resolver.planned.values()].filter((n) => n.kind === 'table').map((n) => n.key);
  while (pending.length > 0) {
    const node = resolver.planned.get(pending.pop() ?? '');
    for (const dep of node?.deps ?? []) {
      const key = canonicalKey(source, dep);
      if (resolver.planned.has(key) && !neededByTables.has(key)) {
        neededByTables.add(key);
        pending.push(key);
      }
    }
  }
  const post = new Set<string>();
  const memo = new Map<string, boolean>();
  const isPost = (key: string, seen: Set<string>): boolean => {
    const known = memo.get(key);
    if (known !== undefined) return known;
    const node = resolver.planned.get(key);
    if (node === undefined || seen.has(key) || cyclic.has(key) || neededByTables.has(key)) return false;
    seen.add(key);
    const result = node.kind === 'view' || (node.kind !== 'table' && node.deps.some((d) => isPost(canonicalKey(source, d), seen)));
    memo.set(key, result);
    return result;
  };
  for (const key of resolver.planned.keys()) if (isPost(key, new Set())) post.add(key);
  return post;
}

function orderNodes(
  source: CatalogObjects,
  nodes: readonly PlannedNode[],
  resolver: Resolver,
  skipped: Skipped[],
): { ordered: PlannedNode[]; cyclic: PlannedNode[] } {
  const ranked = [...nodes].map((n, i) => ({ n, i })).sort((a, b) => PRE_DATA_RANK[a.n.kind] - PRE_DATA_RANK[b.n.kind] || a.i - b.i);
  const { ordered, cyclic } = topoSort(
    ranked.map((r) => r.n),
    (n) => n.key,
    (n) => n.deps.map((d) => canonicalKey(source, d)),
  );
  for (const n of cyclic) {
    if (n.kind === 'table')
      throw new SchemaError('SCHEMA_CYCLE', `${resolver.describe(n.key)} is part of a dependency cycle pgtwin cannot order.`, {
        nextStep: 'Create it by hand, or leave it out with --exclude.',
      });
    skipped.push({ object: resolver.describe(n.key), reason: 'part of a dependency cycle that pgtwin cannot order' });
  }
  return { ordered: [...ordered], cyclic: [...cyclic] };
}

function nodeStatements(source: CatalogObjects, scope: SchemaScope, node: PlannedNode, comments: DdlStatement[]): DdlStatement[] {
  const out: DdlStatement[] = [];
  switch (node.kind) {
    case 'collation': {
      const c = source.collations.get(node.oid);
      if (c !== undefined) out.push({ kind: 'collation', object: `collation ${displayName(c)}`, sql: renderCollation(c) });
      if (c?.comment !== undefined)
        comments.push({
          kind: 'comment',
          object: `collation ${displayName(c)}`,
          sql: renderComment(`COLLATION ${quoteQualified(c)}`, c.comment),
        });
      break;
    }
    case 'type': {
      const t = source.types.get(node.oid);
      if (t === undefined) break;
      for (const sql of renderType(source, t, scope.target.versionNum)) out.push({ kind: 'type', object: `type ${t.sqlName}`, sql });
      for (const sql of renderTypeComments(t)) comments.push({ kind: 'comment', object: `type ${t.sqlName}`, sql });
      break;
    }
    case 'sequence': {
      const s = source.sequences.get(node.oid);
      if (s === undefined) break;
      out.push({ kind: 'sequence', object: `sequence ${displayName(s)}`, sql: renderSequence(s) });
      if (s.comment !== undefined)
        comments.push({
          kind: 'comment',
          object: `sequence ${displayName(s)}`,
          sql: renderComment(`SEQUENCE ${quoteQualified(s)}`, s.comment),
        });
      break;
    }
    case 'function': {
      const f = source.functions.get(node.oid);
      if (f?.definition === undefined) break;
      out.push({ kind: 'function', object: `${f.kind} ${f.signature}`, sql: f.definition });
      for (const sql of renderFunctionComment(f)) comments.push({ kind: 'comment', object: `${f.kind} ${f.signature}`, sql });
      break;
    }
    case 'table': {
      const t = source.tables.get(node.oid);
      if (t === undefined) break;
      const rendered = renderTable(source, t);
      out.push({ kind: 'table', object: `table ${displayName(t)}`, sql: rendered.create });
      for (const sql of rendered.comments) comments.push({ kind: 'comment', object: `table ${displayName(t)}`, sql });
      break;
    }
    case 'tsdict': {
      const d = source.textSearchDictionaries.get(node.oid);
      if (d === undefined) break;
      const object = `text search dictionary ${displayName(d)}`;
      out.push({ kind: 'text-search', object, sql: renderTextSearchDictionary(d) });
      if (d.comment !== undefined)
        comments.push({ kind: 'comment', object, sql: renderComment(`TEXT SEARCH DICTIONARY ${quoteQualified(d)}`, d.comment) });
      break;
    }
    case 'tsconfig': {
      const c = source.textSearchConfigs.get(node.oid);
      if (c === undefined) break;
      const object = `text search configuration ${displayName(c)}`;
      for (const sql of renderTextSearchConfig(c)) out.push({ kind: 'text-search', object, sql });
      if (c.comment !== undefined)
        comments.push({ kind: 'comment', object, sql: renderComment(`TEXT SEARCH CONFIGURATION ${quoteQualified(c)}`, c.comment) });
      break;
    }
    case 'view': {
      const v = source.views.get(node.oid);
      if (v === undefined) break;
      const object = `${v.materialized ? 'materialized view' : 'view'} ${displayName(v)}`;
      out.push({ kind: v.materialized ? 'materialized-view' : 'view', object, sql: renderView(v) });
      for (const sql of renderViewComments(v)) comments.push({ kind: 'comment', object, sql });
      break;
    }
  }
  return out;
}

/** OWNED BY, once the owning table exists: a sequence then goes wherever its column goes. */
function ownedBy(source: CatalogObjects, scope: SchemaScope, resolver: Resolver): DdlStatement[] {
  const out: DdlStatement[] = [];
  for (const node of resolver.planned.values()) {
    if (node.kind !== 'sequence') continue;
    const s = source.sequences.get(node.oid);
    const owner = s?.ownedBy === undefined ? undefined : source.tables.get(s.ownedBy.tableOid);
    if (s?.ownedBy === undefined || owner === undefined) continue;
    const ownerOnTarget = scope.target.table(owner.schema, owner.name);
    const column = s.ownedBy.column;
    if (!scope.creates.has(owner.oid) && !(ownerOnTarget?.columns.some((c) => c.name === column) ?? false)) continue;
    out.push({ kind: 'sequence-owner', object: `sequence ${displayName(s)}`, sql: renderOwnedBy(s, owner, column) });
  }
  return out;
}
