/**
 * What already exists on the target, looked up by name: OIDs differ between
 * databases, names do not. Objects that a `recreate` is about to drop are left
 * out, so the plan creates them again.
 */
import type {
  ConstraintDef,
  ExtensionInfo,
  GrantDef,
  IndexDef,
  ObjectKey,
  RelationName,
  CatalogObjects,
  TableDef,
} from '../catalog/index.js';
import { renderGrant } from './render-security.js';
import { normalizeIndexDefinition } from './definitions.js';

const nameKey = (schema: string, name: string): string => `${schema}\u0000${name}`;

export class TargetIndex {
  readonly versionNum: number;
  private readonly schemas: ReadonlySet<string>;
  private readonly types = new Set<string>();
  private readonly relations = new Map<string, RelationName & { oid: number }>();
  private readonly functions = new Set<string>();
  private readonly collations = new Set<string>();
  private readonly indexNames = new Set<string>();
  private readonly indexesByTable = new Map<number, IndexDef[]>();
  private readonly constraintsByTable = new Map<number, ConstraintDef[]>();
  private readonly triggersByTable = new Map<number, Set<string>>();
  private readonly grants: ReadonlySet<string>;

  constructor(
    private readonly catalog: CatalogObjects,
    dropped: ReadonlySet<ObjectKey> = new Set(),
  ) {
    this.versionNum = catalog.serverVersionNum;
    this.schemas = catalog.schemas;
    this.grants = new Set(catalog.grants.map(renderGrant));
    for (const t of catalog.types.values()) if (!dropped.has(`type:${t.oid}`)) this.types.add(nameKey(t.schema, t.name));
    for (const [oid, r] of catalog.relations) {
      if (r.relkind === 'i' || r.relkind === 'I') continue;
      if (!dropped.has(`rel:${oid}`)) this.relations.set(nameKey(r.schema, r.name), { ...r, oid });
    }
    for (const f of catalog.functions.values()) if (!dropped.has(`fn:${f.oid}`)) this.functions.add(f.signature);
    for (const c of catalog.collations.values()) this.collations.add(nameKey(c.schema, c.name));
    for (const i of catalog.indexes) {
      if (dropped.has(`idx:${i.oid}`) || dropped.has(`rel:${i.relationOid}`)) continue;
      this.indexNames.add(nameKey(i.schema, i.name));
      push(this.indexesByTable, i.relationOid, i);
    }
    for (const c of catalog.constraints) {
      if (dropped.has(`con:${c.oid}`) || dropped.has(`rel:${c.tableOid}`)) continue;
      push(this.constraintsByTable, c.tableOid, c);
    }
    for (const t of catalog.triggers) {
      if (dropped.has(`trg:${t.oid}`) || dropped.has(`rel:${t.relationOid}`)) continue;
      const names = this.triggersByTable.get(t.relationOid) ?? new Set<string>();
      names.add(t.name);
      this.triggersByTable.set(t.relationOid, names);
    }
  }

  hasSchema(schema: string): boolean {
    return this.schemas.has(schema) || schema === 'public' || schema === 'pg_catalog';
  }

  extension(name: string): ExtensionInfo | undefined {
    return this.catalog.extensions.get(name);
  }

  extensionAvailable(name: string): boolean {
    return this.catalog.availableExtensions.has(name);
  }

  hasType(schema: string, name: string): boolean {
    return this.types.has(nameKey(schema, name));
  }

  relation(schema: string, name: string): (RelationName & { oid: number }) | undefined {
    return this.relations.get(nameKey(schema, name));
  }

  table(schema: string, name: string): TableDef | undefined {
    const rel = this.relation(schema, name);
    return rel === undefined ? undefined : this.catalog.tables.get(rel.oid);
  }

  hasFunction(signature: string): boolean {
    return this.functions.has(signature);
  }

  /** The same GRANT (or REVOKE from PUBLIC) already holds on the target's object of the same name. */
  hasGrant(grant: GrantDef): boolean {
    return this.grants.has(renderGrant(grant));
  }

  /** What the target grants PUBLIC on a schema (a server's defaults differ by version: 15 took CREATE on public away). */
  schemaGrantsToPublic(schema: string): GrantDef[] {
    return this.catalog.grants.filter((g) => g.key === `nsp:${schema}` && g.grantee === 'PUBLIC' && !g.revoke);
  }

  hasTextSearchObject(kind: 'tscfg' | 'tsdict', schema: string, name: string): boolean {
    const objects = kind === 'tscfg' ? this.catalog.textSearchConfigs : this.catalog.textSearchDictionaries;
    return [...objects.values()].some((o) => o.schema === schema && o.name === name) || schema === 'pg_catalog';
  }

  hasLanguage(name: string): boolean {
    return [...this.catalog.languages.values()].includes(name);
  }

  /** A role name as grants and policies spell it (`public`/`PUBLIC` always exists). */
  hasRole(name: string): boolean {
    return name.toLowerCase() === 'public' || this.catalog.roles.has(name);
  }

  hasCollation(schema: string, name: string): boolean {
    return this.collations.has(nameKey(schema, name));
  }

  hasIndexName(schema: string, name: string): boolean {
    return this.indexNames.has(nameKey(schema, name));
  }

  /** An index on the named table with this name, or one with the same definition under another name. */
  hasEquivalentIndex(schema: string, table: string, index: IndexDef): boolean {
    const rel = this.relation(schema, table);
    if (rel === undefined) return false;
    const wanted = normalizeIndexDefinition(index.definition);
    return (this.indexesByTable.get(rel.oid) ?? []).some((i) => i.name === index.name || normalizeIndexDefinition(i.definition) === wanted);
  }

  /** A constraint on the named table with this name, or one of the same type and definition. */
  hasEquivalentConstraint(schema: string, table: string, constraint: ConstraintDef): boolean {
    const rel = this.relation(schema, table);
    if (rel === undefined) return false;
    return (this.constraintsByTable.get(rel.oid) ?? []).some(
      (c) => c.name === constraint.name || (c.type === constraint.type && c.definition === constraint.definition),
    );
  }

  /** The target's primary key on the named table, if any (a table has at most one). */
  primaryKeyOf(schema: string, table: string): ConstraintDef | undefined {
    const rel = this.relation(schema, table);
    return rel === undefined ? undefined : (this.constraintsByTable.get(rel.oid) ?? []).find((c) => c.type === 'primary key');
  }

  /**
   * Why post-data objects of an existing target table are not attempted: it
   * lacks some of the source's columns, so keys and indexes over them would
   * fail (and guessing which would not is not worth it). Undefined when it has
   * every column, or does not exist.
   */
  columnDrift(table: TableDef): string | undefined {
    const existing = this.table(table.schema, table.name);
    if (existing === undefined) return undefined;
    const names = new Set(existing.columns.map((c) => c.name));
    const missing = table.columns.filter((c) => !names.has(c.name)).map((c) => c.name);
    if (missing.length === 0) return undefined;
    return `the existing target table ${table.schema}.${table.name} lacks column${missing.length === 1 ? '' : 's'} ${missing.join(', ')} (see pgtwin diff; --recreate rebuilds it)`;
  }

  hasTrigger(schema: string, table: string, name: string): boolean {
    const rel = this.relation(schema, table);
    return rel !== undefined && (this.triggersByTable.get(rel.oid)?.has(name) ?? false);
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
