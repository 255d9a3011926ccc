/**
 * The catalog's objects: what schema creation and diff know about a database,
 * the objects pgtwin can reproduce, as read from pg_catalog by read-catalog.ts
 * (assembled in read-objects.ts). Texts (types,
 * defaults, definitions) are rendered with search_path = pg_catalog, so every
 * user object in them is schema-qualified and compares equal across servers.
 *
 * Objects refer to each other by OID, which only means something inside the
 * database they were read from; `ObjectKey`s ("rel:16384", "type:16390", ...)
 * name them in the dependency map, and schema/target-index.ts translates them to names
 * when comparing with another database.
 */
import type { QualifiedName } from '../pg/ident.js';

/**
 * `rel:` table, view, sequence or composite relation; `type:`; `fn:`; `idx:`
 * index; `con:` primary/unique/exclusion/foreign-key constraint; `trg:`
 * trigger; `coll:`; `opc:`/`opf:`/`op:` operator class/family/operator;
 * `lang:`; `rule:`; `pol:` policy; `tscfg:`/`tsdict:` text search
 * configuration/dictionary; `ext:`. Followed by the OID.
 */
export type ObjectKey = string;

export interface ExtensionInfo {
  readonly name: string;
  readonly schema: string;
  readonly version: string;
}

export type CollationProvider = 'default' | 'libc' | 'icu' | 'builtin';

export interface CollationInfo extends QualifiedName {
  readonly oid: number;
  readonly provider: CollationProvider;
  readonly deterministic: boolean;
  /** ICU / builtin locale. */
  readonly locale: string | undefined;
  readonly lcCollate: string | undefined;
  readonly lcCtype: string | undefined;
  readonly icuRules: string | undefined;
  /** In pg_catalog or information_schema: comes with the server. */
  readonly system: boolean;
  readonly comment: string | undefined;
}

export type TypeKind = 'base' | 'array' | 'enum' | 'domain' | 'composite' | 'rowtype' | 'range' | 'multirange' | 'pseudo';

export interface DomainConstraint {
  readonly name: string;
  /** pg_get_constraintdef(): `CHECK ((VALUE > 0))`. */
  readonly definition: string;
  readonly validated: boolean;
  readonly comment: string | undefined;
}

export interface DomainInfo {
  /** format_type(typbasetype, typtypmod). */
  readonly baseType: string;
  readonly baseTypeOid: number;
  readonly notNull: boolean;
  readonly defaultExpr: string | undefined;
  /** Non-default collation OID. */
  readonly collation: number | undefined;
  readonly constraints: readonly DomainConstraint[];
}

export interface AttributeInfo {
  readonly name: string;
  readonly type: string;
  readonly typeOid: number;
  readonly collation: number | undefined;
  readonly comment: string | undefined;
}

export interface RangeInfo {
  readonly subtype: string;
  readonly subtypeOid: number;
  /** Qualified opclass name when not the subtype's default. */
  readonly opclass: string | undefined;
  readonly collation: number | undefined;
  /** Qualified function names (regproc output). */
  readonly canonical: string | undefined;
  readonly subtypeDiff: string | undefined;
  /** PostgreSQL 14+: the multirange type made with the range. */
  readonly multirangeOid: number | undefined;
}

export interface TypeInfo extends QualifiedName {
  readonly oid: number;
  /** format_type(oid, NULL): `integer`, `public.mood`, `"Sales Data".t[]`. */
  readonly sqlName: string;
  readonly kind: TypeKind;
  readonly system: boolean;
  /** Array: its element type. */
  readonly elementOid: number | undefined;
  /** Row type of a table/view, or the relation of a composite type. */
  readonly relationOid: number | undefined;
  readonly enumLabels: readonly string[];
  readonly domain: DomainInfo | undefined;
  readonly attributes: readonly AttributeInfo[];
  readonly range: RangeInfo | undefined;
  readonly comment: string | undefined;
}

export interface ColumnDef {
  readonly name: string;
  readonly attnum: number;
  /** format_type(atttypid, atttypmod). */
  readonly type: string;
  readonly typeOid: number;
  readonly notNull: boolean;
  /** pg_get_expr of the default; for a generated column, its expression. */
  readonly defaultExpr: string | undefined;
  readonly generated: '' | 'stored' | 'virtual';
  readonly identity: '' | 'always' | 'by default';
  /** Non-default collation OID (differs from the type's). */
  readonly collation: number | undefined;
  /** Declared on this table (false: only inherited from a parent or the partitioned table). */
  readonly local: boolean;
  readonly comment: string | undefined;
}

export type ConstraintType = 'check' | 'primary key' | 'unique' | 'exclusion' | 'foreign key';

export interface ConstraintDef {
  readonly oid: number;
  readonly tableOid: number;
  readonly name: string;
  readonly type: ConstraintType;
  /** pg_get_constraintdef(). */
  readonly definition: string;
  readonly validated: boolean;
  /** Declared on this table itself (not only inherited). */
  readonly local: boolean;
  /** Cloned onto a partition from the partitioned table's constraint. */
  readonly cloned: boolean;
  /** Foreign key: the referenced table. */
  readonly referencedOid: number | undefined;
  readonly comment: string | undefined;
}

export interface IndexDef {
  readonly oid: number;
  readonly relationOid: number;
  readonly schema: string;
  readonly name: string;
  /** pg_get_indexdef(). */
  readonly definition: string;
  /** The index of a primary key, unique or exclusion constraint (created with it). */
  readonly ofConstraint: boolean;
  /** Attached to the partitioned table's index (created with it). */
  readonly attached: boolean;
  readonly comment: string | undefined;
  /** The index of REPLICA IDENTITY USING INDEX. */
  readonly replicaIdentity: boolean;
}

export interface TriggerDef {
  readonly oid: number;
  readonly relationOid: number;
  readonly name: string;
  /** pg_get_triggerdef(). */
  readonly definition: string;
  readonly functionOid: number;
  /** pg_trigger.tgenabled: O origin (default), D disabled, R replica, A always. */
  readonly enabled: 'O' | 'D' | 'R' | 'A';
  readonly comment: string | undefined;
}

export type PolicyCommand = 'ALL' | 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

export interface PolicyDef {
  readonly oid: number;
  readonly relationOid: number;
  readonly name: string;
  readonly permissive: boolean;
  readonly command: PolicyCommand;
  /** Role names; `public` stands for PUBLIC. */
  readonly roles: readonly string[];
  readonly using: string | undefined;
  readonly withCheck: string | undefined;
  readonly comment: string | undefined;
}

export interface RuleDef {
  readonly oid: number;
  readonly relationOid: number;
  readonly name: string;
  /** pg_get_ruledef() without the trailing semicolon. */
  readonly definition: string;
  readonly comment: string | undefined;
}

/** One privilege granted on an object to one role (or, with `revoke`, the PUBLIC default taken away). */
export interface GrantDef {
  /** The object's key (`rel:`, `fn:`, `type:`; `nsp:<name>` for a schema). */
  readonly key: ObjectKey;
  /** TABLE, SEQUENCE, FUNCTION, PROCEDURE, SCHEMA, TYPE or DOMAIN. */
  readonly word: string;
  /** Quoted, qualified name (a function's regprocedure text). */
  readonly name: string;
  /** A column privilege: the column. */
  readonly column: string | undefined;
  /** A role name, or PUBLIC. */
  readonly grantee: string;
  readonly privilege: string;
  readonly grantable: boolean;
  readonly revoke: boolean;
}

export interface TextSearchConfig extends QualifiedName {
  readonly oid: number;
  /** Quoted, qualified parser name. */
  readonly parser: string;
  /** Token type alias -> dictionaries in order (regdictionary texts). */
  readonly mappings: readonly { readonly token: string; readonly dictionaries: readonly string[] }[];
  readonly comment: string | undefined;
}

export interface TextSearchDictionary extends QualifiedName {
  readonly oid: number;
  /** Quoted, qualified template name. */
  readonly template: string;
  /** pg_ts_dict.dictinitoption: `stopwords = 'english', language = 'english'`. */
  readonly options: string | undefined;
  readonly comment: string | undefined;
}

export type ReplicaIdentity = 'default' | 'nothing' | 'full' | 'index';

export type TableKind = 'table' | 'partitioned' | 'foreign';

export interface TableDef extends QualifiedName {
  readonly oid: number;
  readonly kind: TableKind;
  readonly unlogged: boolean;
  /** reloptions, `name=value`. */
  readonly options: readonly string[];
  /** Table access method when not heap. */
  readonly accessMethod: string | undefined;
  /** Parent tables of classic inheritance, in order (not the partitioned parent). */
  readonly inherits: readonly number[];
  /** Partition: the partitioned table it belongs to, and its bound (`FOR VALUES ...` or `DEFAULT`). */
  readonly partitionOf: number | undefined;
  readonly partitionBound: string | undefined;
  /** Partitioned table: pg_get_partkeydef(), e.g. `RANGE (at)`. */
  readonly partitionKey: string | undefined;
  readonly columns: readonly ColumnDef[];
  readonly rowTypeOid: number;
  readonly comment: string | undefined;
  readonly replicaIdentity: ReplicaIdentity;
  readonly rowSecurity: boolean;
  readonly forceRowSecurity: boolean;
}

export interface ViewDef extends QualifiedName {
  readonly oid: number;
  readonly materialized: boolean;
  /** pg_get_viewdef() without the trailing semicolon. */
  readonly definition: string;
  /** reloptions without check_option. */
  readonly options: readonly string[];
  readonly checkOption: 'local' | 'cascaded' | undefined;
  /** Materialized view: had data on the source. */
  readonly populated: boolean;
  readonly comment: string | undefined;
  readonly columnComments: ReadonlyMap<string, string>;
}

export interface SequenceDef extends QualifiedName {
  readonly oid: number;
  readonly dataType: string;
  /** int8 values stay strings: they may exceed 2^53. */
  readonly start: string;
  readonly increment: string;
  readonly min: string;
  readonly max: string;
  readonly cache: string;
  readonly cycle: boolean;
  readonly unlogged: boolean;
  /** Owning column (serial, OWNED BY, identity). */
  readonly ownedBy: { readonly tableOid: number; readonly column: string } | undefined;
  /** The sequence of an identity column (created by the column). */
  readonly identity: boolean;
  readonly comment: string | undefined;
}

export type FunctionKind = 'function' | 'procedure' | 'aggregate' | 'window';

export interface FunctionDef extends QualifiedName {
  readonly oid: number;
  /** oid::regprocedure: `public.f(integer, public.mood)`: identity across databases. */
  readonly signature: string;
  readonly kind: FunctionKind;
  /** pg_get_functiondef(), or the CREATE AGGREGATE built from pg_aggregate; undefined when neither can be had. */
  readonly definition: string | undefined;
  /** SQL-standard body (BEGIN ATOMIC / RETURN): PostgreSQL 14+. */
  readonly sqlBody: boolean;
  readonly comment: string | undefined;
  /** pg_get_function_identity_arguments(): what COMMENT ON AGGREGATE needs. */
  readonly identityArgs: string;
  readonly languageOid: number;
}

export interface RelationName extends QualifiedName {
  /** pg_class.relkind. */
  readonly relkind: string;
}

export interface CatalogObjects {
  readonly serverVersionNum: number;
  /** Non-system schemas (pgtwin's own state schema excluded). */
  readonly schemas: ReadonlySet<string>;
  readonly schemaComments: ReadonlyMap<string, string>;
  /** Role names of the server (grants and policies name them). */
  readonly roles: ReadonlySet<string>;
  /** Every procedural language, by OID. */
  readonly languages: ReadonlyMap<number, string>;
  readonly extensions: ReadonlyMap<string, ExtensionInfo>;
  /** pg_available_extensions: what CREATE EXTENSION could install here. */
  readonly availableExtensions: ReadonlySet<string>;
  readonly collations: ReadonlyMap<number, CollationInfo>;
  /** Every type, system types included (to tell whether a target has them). */
  readonly types: ReadonlyMap<number, TypeInfo>;
  /** Every user relation by OID, whatever its kind. */
  readonly relations: ReadonlyMap<number, RelationName>;
  readonly tables: ReadonlyMap<number, TableDef>;
  readonly views: ReadonlyMap<number, ViewDef>;
  readonly sequences: ReadonlyMap<number, SequenceDef>;
  readonly functions: ReadonlyMap<number, FunctionDef>;
  readonly constraints: readonly ConstraintDef[];
  readonly indexes: readonly IndexDef[];
  readonly triggers: readonly TriggerDef[];
  readonly policies: readonly PolicyDef[];
  readonly rules: readonly RuleDef[];
  readonly grants: readonly GrantDef[];
  readonly textSearchConfigs: ReadonlyMap<number, TextSearchConfig>;
  readonly textSearchDictionaries: ReadonlyMap<number, TextSearchDictionary>;
  /** Dependent -> what it needs to exist first (pg_depend, normal and auto). */
  readonly dependencies: ReadonlyMap<ObjectKey, readonly ObjectKey[]>;
  /** Objects that belong to an extension -> the extension's name. */
  readonly extensionMembers: ReadonlyMap<ObjectKey, string>;
}
