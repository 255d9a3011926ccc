import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TableInfo } from '../../src/catalog/table-facts.js';
import type { SourceReport } from '../../src/source/source-checks.js';
import type { PublicationFacts } from '../../src/source/replication-objects.js';
import type { FollowRoleFacts, RelationFacts, ServerFacts } from '../../src/source/source-facts.js';
import { planSetup, setupScript } from '../../src/source/setup-sql.js';
import { walLevelFix } from '../../src/source/managed-service.js';
import { scramVerifier } from '../../src/source/scram.js';

const table = (oid: number, name: string): TableInfo => ({
  oid,
  schema: 'public',
  name,
  kind: 'table',
  partitionRoot: undefined,
  columns: [],
  primaryKey: ['id'],
  uniqueKeys: [['id']],
  estimatedRows: 0,
  bytes: 0,
});

const relation = (oid: number, name: string, extra: Partial<RelationFacts> = {}): RelationFacts => ({
  oid,
  root: oid,
  schema: 'public',
  name,
  partitioned: false,
  unlogged: false,
  identity: 'd',
  hasPrimaryKey: true,
  identityIndex: undefined,
  candidateIndex: undefined,
  owned: true,
  canGrantSelect: true,
  canGrantSchemaUsage: true,
  ...extra,
});

const server = (extra: Partial<ServerFacts> = {}): ServerFacts => ({
  versionNum: 160004,
  version: '16.4',
  database: 'app',
  inRecovery: false,
  walLevel: 'logical',
  walLevelPendingRestart: false,
  maxReplicationSlots: 10,
  usedReplicationSlots: 0,
  maxWalSenders: 10,
  usedWalSenders: 0,
  service: undefined,
  user: 'admin',
  superuser: false,
  createRole: true,
  replication: false,
  canCreateInDatabase: true,
  ...extra,
});

const missingRole: FollowRoleFacts = {
  name: 'follower',
  exists: false,
  canLogin: false,
  superuser: false,
  replication: false,
  rdsReplication: false,
  replicationRolesViaMembership: [],
  canConnect: true,
  unreadable: [1],
  schemasWithoutUsage: [],
};

function report(serverFacts: ServerFacts, relations: RelationFacts[] = [relation(1, 'customers')]): SourceReport {
  return {
    server: serverFacts,
    publicationName: 'pgtwin',
    slotName: 'pgtwin_x',
    tables: new Map([[1, table(1, 'customers')]]),
    relations,
    followRole: missingRole,
    publication: undefined,
    slot: undefined,
    otherTwinSlots: [],
    problems: [],
    notes: [],
    ready: true,
  };
}

function publication(extra: readonly string[]): PublicationFacts {
  return {
    oid: 9,
    name: 'pgtwin',
    owner: 'app',
    owned: true,
    allTables: false,
    actions: { insert: true, update: true, delete: true, truncate: true },
    viaPartitionRoot: true,
    covered: new Set([1]),
    filtered: new Set(),
    extra: extra.map((t) => `public.${t}`),
    extraTables: extra.map((t) => ({ schema: 'public', name: t })),
  };
}

describe('setup-source SQL', () => {
  it('drops from the publication the tables no longer selected, unless another twin may follow them', () => {
    const alone = planSetup({ ...report(server()), publication: publication(['orders', 'Old Stuff']) }, { replicaIdentityFull: false });
    assert.deepEqual(
      alone.statements.map((s) => s.sql),
      ['ALTER PUBLICATION "pgtwin" DROP TABLE "public"."orders", "public"."Old Stuff"'],
    );
    const shared = planSetup(
      { ...report(server()), publication: publication(['orders']), otherTwinSlots: ['pgtwin_other'] },
      { replicaIdentityFull: false },
    );
    assert.deepEqual(shared.statements, []);
    const notOwner = planSetup(
      { ...report(server()), publication: { ...publication(['orders']), owned: false } },
      { replicaIdentityFull: false },
    );
    assert.deepEqual(notOwner.statements, []);
  });

  it('on RDS a new replication role gets rds_replication, and only a verifier of its password is sent', () => {
    const plan = planSetup(report(server({ service: 'rds' })), {
      replicaIdentityFull: false,
      createRole: { name: 'follower', password: 'S3cret-pass' },
    });
    const create = plan.statements[0];
    assert.equal(create?.display, `CREATE ROLE "follower" LOGIN PASSWORD '***'`);
    assert.match(
      create?.sql ?? '',
      /^CREATE ROLE "follower" LOGIN PASSWORD 'SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+'$/,
    );
    assert.ok(!(create?.sql ?? '').includes('S3cret-pass'));
    assert.equal(plan.statements[1]?.sql, 'GRANT rds_replication TO "follower"');
    assert.ok(!setupScript(plan).includes('SCRAM'), 'the printed script hides the verifier');
  });

  it('before PostgreSQL 16 a non-superuser cannot create a replication role: reported, not attempted', () => {
    const plan = planSetup(report(server({ versionNum: 150008 })), {
      replicaIdentityFull: false,
      createRole: { name: 'follower', password: 'x-pass' },
    });
    assert.ok(
      plan.statements.every((s) => !s.sql.includes('ROLE')),
      plan.statements.map((s) => s.sql).join('\n'),
    );
    assert.deepEqual(
      plan.unresolved.map((p) => p.kind),
      ['role-create-privilege'],
    );
  });

  it('a key-less table is left out of the publication unless --replica-identity-full', () => {
    const keyless = [relation(1, 'customers', { hasPrimaryKey: false })];
    const without = planSetup(report(server(), keyless), { replicaIdentityFull: false });
    assert.deepEqual(without.statements, []);
    assert.equal(without.leftOut.length, 1);
    const withFull = planSetup(report(server(), keyless), { replicaIdentityFull: true });
    assert.deepEqual(
      withFull.statements.map((s) => s.sql),
      [
        'ALTER TABLE "public"."customers" REPLICA IDENTITY FULL',
        'CREATE PUBLICATION "pgtwin" FOR TABLE "public"."customers" WITH (publish_via_partition_root = true)',
      ],
    );
  });

  it('names the setting of each managed service', () => {
    assert.match(walLevelFix('rds'), /rds\.logical_replication = 1 in the DB parameter group/);
    assert.match(walLevelFix('aurora'), /DB cluster parameter group/);
    assert.match(walLevelFix('cloudsql'), /cloudsql\.logical_decoding = on/);
    assert.match(walLevelFix(undefined), /ALTER SYSTEM SET wal_level = logical/);
  });

  it('refuses a password that clients would normalize differently', () => {
    assert.throws(() => scramVerifier('pässword'), /printable ASCII/);
    assert.throws(() => scramVerifier(''), /printable ASCII/);
  });
});
