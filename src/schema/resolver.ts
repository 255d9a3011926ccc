/**
 * Decides, object by object, whether what the source has can exist on the
 * target: it is already there (by name), or pgtwin creates it, and everything
 * it needs can exist too. Each object the plan must create is recorded as a
 * node with its dependencies, for ordering. Decisions are memoized; a reason
 * says what is missing, so a skipped view can say which table it lacks.
 */
import type { ExtensionInfo, ObjectKey, CatalogObjects } from '../catalog/index.js';
import type { TargetIndex } from './target-index.js';
import {
  collationNeeds,
  columnNeeds,
  definitionNeeds,
  functionNeeds,
  sequenceNeeds,
  typeNeeds,
  unmetNeeds,
  type FeatureNeed,
} from './versions.js';
import { groups } from '../catalog/index.js';

/**
 * `selection`: the object cannot exist only because it needs a table the
 * selection leaves out (the user's choice, not a shortcoming of the target).
 */
export type Decision = { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly selection: boolean };

export type NodeKind = 'collation' | 'tsdict' | 'tsconfig' | 'type' | 'function' | 'sequence' | 'table' | 'view';

export interface PlannedNode {
  readonly key: ObjectKey;
  readonly kind: NodeKind;
  readonly oid: number;
  readonly schema: string;
  /** Keys this node needs first (only planned ones matter for ordering). */
  readonly deps: readonly ObjectKey[];
}

export interface ResolverScope {
  /** Source tables the plan creates. */
  readonly creates: ReadonlySet<number>;
  /** Source tables the plan covers: created, or already on the target. */
  readonly inScope: ReadonlySet<number>;
}

const OK: Decision = { ok: true };
const fail = (reason: string, selection = false): Decision => ({ ok: false, reason, selection });

export class Resolver {
  /** In the order decided: dependencies before dependents within one root. */
  readonly planned = new Map<ObjectKey, PlannedNode>();
  /** Extensions to create, by name. */
  readonly extensions = new Map<string, ExtensionInfo>();
  /** Extensions something needed that the target cannot install. */
  readonly unavailableExtensions = new Set<string>();
  private readonly decisions = new Map<ObjectKey, Decision>();
  private readonly visiting = new Set<ObjectKey>();
  private readonly multirangeRange = new Map<number, number>();

  constructor(
    private readonly source: CatalogObjects,
    private readonly target: TargetIndex,
    private readonly scope: ResolverScope,
  ) {
    for (const t of source.types.values()) if (t.range?.multirangeOid !== undefined) this.multirangeRange.set(t.range.multirangeOid, t.oid);
  }

  resolve(key: ObjectKey): Decision {
    const known = this.decisions.get(key);
    if (known !== undefined) return known;
    // A cycle (mutually dependent objects) is not decided here: ordering reports it.
    if (this.visiting.has(key)) return OK;
    this.visiting.add(key);
    try {
      const decision = this.decide(key);
      this.decisions.set(key, decision);
      return decision;
    } finally {
      this.visiting.delete(key);
    }
  }

  /** The first of `keys` that cannot exist, as the reason of the object that needs them. */
  resolveAll(keys: Iterable<ObjectKey>, except: ObjectKey | undefined = undefined): Decision {
    for (const key of keys) {
      if (key === except) continue;
      const d = this.resolve(key);
      if (!d.ok) return fail(`needs ${this.describe(key)}: ${d.reason}`, d.selection);
    }
    return OK;
  }

  dependenciesOf(key: ObjectKey): readonly ObjectKey[] {
    return this.source.dependencies.get(key) ?? [];
  }

  describe(key: ObjectKey): string {
    const [kind, raw] = splitKey(key);
    const oid = Number(raw);
    const s = this.source;
    switch (kind) {
      case 'rel': {
        const rel = s.relations.get(oid);
        if (rel === undefined) return `relation ${oid}`;
        const word = { v: 'view', m: 'materialized view', S: 'sequence', f: 'foreign table' }[rel.relkind] ?? 'table';
        return `${word} ${rel.schema}.${rel.name}`;
      }
      case 'type':
        return `type ${s.types.get(oid)?.sqlName ?? oid}`;
      case 'fn': {
        const fn = s.functions.get(oid);
        return fn === undefined ? `function ${oid}` : `${fn.kind} ${fn.signature}`;
      }
      case 'lang':
        return `language ${s.languages.get(oid) ?? oid}`;
      case 'tscfg': {
        const c = s.textSearchConfigs.get(oid);
        return c === undefined ? `text search configuration ${oid}` : `text search configuration ${c.schema}.${c.name}`;
      }
      case 'tsdict': {
        const d = s.textSearchDictionaries.get(oid);
        return d === undefined ? `text search dictionary ${oid}` : `text search dictionary ${d.schema}.${d.name}`;
      }
      case 'coll': {
        const c = s.collations.get(oid);
        return c === undefined ? `collation ${oid}` : `collation ${c.schema}.${c.name}`;
      }
      case 'idx': {
        const i = groups(s).indexByOid.get(oid);
        return i === undefined ? `index ${oid}` : `index ${i.schema}.${i.name}`;
      }
      default:
        return `${{ opc: 'operator class', opf: 'operator family', op: 'operator', lang: 'language', tscfg: 'text search configuration' }[kind] ?? kind} ${oid}`;
    }
  }

  private decide(key: ObjectKey): Decision {
    const extension = this.source.extensionMembers.get(key);
    if (extension !== undefined) return this.resolveExtension(extension);
    const [kind, raw] = splitKey(key);
    const oid = Number(raw);
    switch (kind) {
      case 'rel':
        return this.decideRelation(key, oid);
      case 'type':
        return this.decideType(key, oid);
      case 'fn':
        return this.decideFunction(key, oid);
      case 'coll':
        return this.decideCollation(key, oid);
      case 'idx':
        return this.decideIndex(oid);
      case 'tsdict': {
        const d = this.source.textSearchDictionaries.get(oid);
        if (d === undefined || this.target.hasTextSearchObject('tsdict', d.schema, d.name)) return OK;
        return this.plan(key, 'tsdict', oid, d.schema, [], this.dependenciesOf(key));
      }
      case 'tscfg': {
        const c = this.source.textSearchConfigs.get(oid);
        if (c === undefined || this.target.hasTextSearchObject('tscfg', c.schema, c.name)) return OK;
        return this.plan(key, 'tsconfig', oid, c.schema, [], this.dependenciesOf(key));
      }
      case 'lang': {
        // A language outside any extension (CREATE LANGUAGE by hand) must already be on the target.
        const name = this.source.languages.get(oid);
        return name === undefined || this.target.hasLanguage(name) ? OK : fail('it does not exist on the target (create it there first)');
      }
      default:
        return OK; // operators, classes, languages outside extensions: built in
    }
  }

  /** An extension of the source that the twin should have even when no selected object needs it. */
  wantExtension(name: string): Decision {
    return this.resolveExtension(name);
  }

  private resolveExtension(name: string): Decision {
    const installed = this.target.extension(name);
    const wanted = this.source.extensions.get(name);
    if (installed !== undefined) {
      if (wanted !== undefined && installed.schema !== wanted.schema) {
        return fail(`extension ${name} is installed in schema ${installed.schema} on the target but in ${wanted.schema} on the source`);
      }
      return OK;
    }
    if (wanted === undefined || !this.target.extensionAvailable(name)) {
      this.unavailableExtensions.add(name);
      return fail(`extension ${name} is not available on the target server (it is not in pg_available_extensions there)`);
    }
    this.extensions.set(name, wanted);
    return OK;
  }

  private decideRelation(key: ObjectKey, oid: number): Decision {
    const rel = this.source.relations.get(oid);
    if (rel === undefined) return OK; // a system catalog
    const table = this.source.tables.get(oid);
    if (table !== undefined) {
      if (this.scope.creates.has(oid)) {
        if (table.kind === 'foreign') return fail('foreign tables are not created by pgtwin (they need a server and user mapping)');
        const checks = (groups(this.source).constraints.get(oid) ?? []).filter((c) => c.type === 'check');
        const needs: FeatureNeed[] = [
          ...table.columns.flatMap((c) => columnNeeds(table, c)),
          ...checks.flatMap((c) => definitionNeeds(c.definition)),
        ];
        return this.plan(key, 'table', oid, table.schema, needs, this.dependenciesOf(key));
      }
      if (this.scope.inScope.has(oid) || this.target.relation(table.schema, table.name) !== undefined) return OK;
      return fail('not selected and not on the target', true);
    }
    if (this.target.relation(rel.schema, rel.name) !== undefined) return OK;
    const view = this.source.views.get(oid);
    if (view !== undefined) return this.plan(key, 'view', oid, view.schema, [], this.dependenciesOf(key));
    const sequence = this.source.sequences.get(oid);
    if (sequence !== undefined) {
      if (sequence.identity) {
        const owner = sequence.ownedBy?.tableOid;
        return owner !== undefined && this.scope.creates.has(owner) ? OK : fail('an identity sequence whose table is not created');
      }
      return this.plan(key, 'sequence', oid, sequence.schema, sequenceNeeds(sequence), []);
    }
    return fail('not on the target, and pgtwin does not create this kind of relation');
  }

  private decideType(key: ObjectKey, oid: number): Decision {
    const type = this.source.types.get(oid);
    if (type === undefined) return OK;
    if (type.kind === 'array' && type.elementOid !== undefined) return this.resolveAll([`type:${type.elementOid}`]);
    if (type.kind === 'rowtype' && type.relationOid !== undefined) return this.resolveAll([`rel:${type.relationOid}`]);
    if (type.kind === 'multirange') {
      const unmet = unmetNeeds(typeNeeds(type), this.target.versionNum);
      if (unmet !== undefined) return fail(unmet);
      const range = this.multirangeRange.get(oid);
      if (range !== undefined && !type.system) return this.resolveAll([`type:${range}`]);
    }
    if (this.target.hasType(type.schema, type.name)) return OK;
    if (type.system) return fail(`the target server has no type ${type.sqlName}`);
    if (type.kind === 'enum' || type.kind === 'domain' || type.kind === 'composite' || type.kind === 'range') {
      return this.plan(key, 'type', oid, type.schema, typeNeeds(type), this.dependenciesOf(key));
    }
    return fail(`a ${type.kind} type defined outside an extension (written in C); pgtwin cannot create it, install it on the target first`);
  }

  private decideFunction(key: ObjectKey, oid: number): Decision {
    const fn = this.source.functions.get(oid);
    if (fn === undefined || this.target.hasFunction(fn.signature)) return OK;
    if (fn.definition === undefined) return fail(`pgtwin cannot read the definition of this ${fn.kind}; create it by hand`);
    return this.plan(key, 'function', oid, fn.schema, functionNeeds(fn), this.dependenciesOf(key));
  }

  private decideCollation(key: ObjectKey, oid: number): Decision {
    const collation = this.source.collations.get(oid);
    if (collation === undefined || this.target.hasCollation(collation.schema, collation.name)) return OK;
    if (collation.system) return fail('the target server does not have this collation (its locales or ICU differ)');
    return this.plan(key, 'collation', oid, collation.schema, collationNeeds(collation), []);
  }

  private decideIndex(oid: number): Decision {
    const index = groups(this.source).indexByOid.get(oid);
    if (index === undefined || this.scope.creates.has(index.relationOid)) return OK;
    const table = this.source.tables.get(index.relationOid);
    if (table !== undefined && this.target.hasEquivalentIndex(table.schema, table.name, index)) return OK;
    // An in-scope table's missing index is created in post-data, unless that table's columns differ.
    const drift = table === undefined ? undefined : this.target.columnDrift(table);
    if (this.scope.inScope.has(index.relationOid) && drift === undefined) return OK;
    return fail(drift ?? 'not on the target', drift !== undefined || !this.scope.inScope.has(index.relationOid));
  }

  private plan(
    key: ObjectKey,
    kind: NodeKind,
    oid: number,
    schema: string,
    needs: readonly FeatureNeed[],
    deps: readonly ObjectKey[],
  ): Decision {
    const unmet = unmetNeeds(needs, this.target.versionNum);
    if (unmet !== undefined) return fail(unmet);
    const decision = this.resolveAll(deps, key);
    if (!decision.ok) return decision;
    this.planned.set(key, { key, kind, oid, schema, deps });
    return OK;
  }
}

export function splitKey(key: ObjectKey): [string, string] {
  const colon = key.indexOf(':');
  return [key.slice(0, colon), key.slice(colon + 1)];
}
