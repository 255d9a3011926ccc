/**
 * Large objects to the target, with the same OIDs, read under the run's
 * snapshot (the session that holds it), so they match the copied tables.
 * The target's large objects are replaced by the source's in one
 * transaction: a stop or failure leaves the previous set, and the step can
 * simply run again (`--resume`). Content travels in pieces of CHUNK bytes,
 * through `lo_get`/`lo_from_bytea`/`lo_put`, which need no superuser: the
 * source user must be able to read them, and the target user becomes their
 * owner unless the source owner exists on the target and it may hand them
 * to that role. Grants are carried for the roles that exist on the target.
 */
import type { Client } from '../pg/connect.js';
import { quoteIdent } from '../pg/ident.js';

const CHUNK = 1024 * 1024;

export interface LargeObjectsResult {
  readonly decision: 'copy' | 'empty';
  readonly count: number;
  /** Content bytes written (0 for `empty`). */
  readonly bytes: number;
  readonly warnings: readonly string[];
}

interface SourceObject {
  readonly oid: string;
  readonly owner: string;
  readonly grants: readonly { readonly grantee: string; readonly privilege: string }[];
}

/** Inside no transaction of the target's; opens and commits its own. `stopped` is asked between objects. */
export async function copyLargeObjects(
  holder: Client,
  target: Client,
  decision: 'copy' | 'empty',
  stopped: () => boolean,
): Promise<LargeObjectsResult | 'stopped'> {
  const objects = (
    await holder.query<SourceObject>(
      `SELECT m.oid::text AS oid, pg_get_userbyid(m.lomowner) AS owner,
              coalesce((SELECT json_agg(json_build_object('grantee', CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, 'privilege', a.privilege_type))
                        FROM aclexplode(m.lomacl) a WHERE a.grantee <> m.lomowner), '[]') AS grants
       FROM pg_largeobject_metadata m ORDER BY m.oid`,
    )
  ).rows;
  const roles = await assignableRoles(target, [...new Set(objects.flatMap((o) => [o.owner, ...o.grants.map((g) => g.grantee)]))]);
  const ownersKept = new Set<string>();
  let bytes = 0;
  await target.query('BEGIN');
  try {
    await target.query('SELECT lo_unlink(oid) FROM pg_largeobject_metadata');
    for (const object of objects) {
      if (stopped()) {
        await target.query('ROLLBACK');
        return 'stopped';
      }
      bytes += decision === 'copy' ? await copyContent(holder, target, object.oid) : await createEmpty(target, object.oid);
      for (const grant of object.grants) {
        if (grant.grantee !== 'PUBLIC' && !roles.exists.has(grant.grantee)) continue;
        const to = grant.grantee === 'PUBLIC' ? 'PUBLIC' : quoteIdent(grant.grantee);
        await target.query(`GRANT ${grant.privilege === 'UPDATE' ? 'UPDATE' : 'SELECT'} ON LARGE OBJECT ${object.oid} TO ${to}`);
      }
      if (roles.assignable.has(object.owner)) await target.query(`ALTER LARGE OBJECT ${object.oid} OWNER TO ${quoteIdent(object.owner)}`);
      else ownersKept.add(object.owner);
    }
    await target.query('COMMIT');
  } catch (error) {
    await target.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  const warnings =
    ownersKept.size === 0
      ? []
      : [
          `large objects of ${[...ownersKept].sort().join(', ')} are owned by the target user: ${ownersKept.size === 1 ? 'that role does' : 'those roles do'} not exist on the target, or the target user may not hand objects to ${ownersKept.size === 1 ? 'it' : 'them'}`,
        ];
  return { decision, count: objects.length, bytes, warnings };
}

async function copyContent(holder: Client, target: Client, oid: string): Promise<number> {
  let offset = 0;
  for (;;) {
    const piece =
      (await holder.query<{ data: Buffer }>('SELECT lo_get($1::oid, $2::int8, $3::int4) AS data', [oid, offset, CHUNK])).rows[0]?.data ??
      Buffer.alloc(0);
    if (offset === 0) await target.query('SELECT lo_from_bytea($1::oid, $2::bytea)', [oid, piece]);
    else if (piece.length > 0) await target.query('SELECT lo_put($1::oid, $2::int8, $3::bytea)', [oid, offset, piece]);
    offset += piece.length;
    if (piece.length < CHUNK) return offset;
  }
}

async function createEmpty(target: Client, oid: string): Promise<number> {
  await target.query(`SELECT lo_from_bytea($1::oid, '\\x'::bytea)`, [oid]);
  return 0;
}

/** Of `names`, the roles that exist on the target, and those the target user may make owners (superuser or member). */
async function assignableRoles(target: Client, names: readonly string[]): Promise<{ exists: Set<string>; assignable: Set<string> }> {
  const rows = (
    await target.query<{ name: string; may: boolean }>(
      'SELECT rolname AS name, pg_has_role(current_user, oid, $2) AS may FROM pg_roles WHERE rolname = ANY($1::text[])',
      [names.filter((n) => n !== 'PUBLIC'), 'MEMBER'],
    )
  ).rows;
  return { exists: new Set(rows.map((r) => r.name)), assignable: new Set(rows.filter((r) => r.may).map((r) => r.name)) };
}
