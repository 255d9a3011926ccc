/**
 * Large objects (`lo_create`, `lo_import`) live outside every table, and the
 * tables only hold their OIDs. They can hold anything (scanned documents,
 * photos), so like a column they need a decision: `large_objects: copy`,
 * `empty` or `skip`. Strict mode refuses a source that has some and no
 * decision; otherwise they are copied, with a warning. Checked with the plan,
 * before the target is touched: what there is, and whether the source user
 * may read what it is asked to copy.
 */
import type { LargeObjectsDecision, Settings } from '../config/index.js';
import type { Client } from '../pg/connect.js';
import { SyncError, UsageError } from '../errors.js';

export interface LargeObjectPlan {
  /** What sync does: the configured decision, or `copy` when none is configured outside strict mode. */
  readonly decision: LargeObjectsDecision;
  /** False when `large_objects:` is not set. */
  readonly configured: boolean;
  /** Large objects in the source database. */
  readonly count: number;
  /** Their total size, when they are copied (undefined otherwise: not read). */
  readonly bytes: number | undefined;
}

/** Whether the current role may read a large object: superuser, compatibility mode, owner (or member), or a SELECT grant. */
const READABLE = `(SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
  OR current_setting('lo_compat_privileges')::bool
  OR pg_has_role(m.lomowner, 'USAGE')
  OR EXISTS (SELECT 1 FROM aclexplode(m.lomacl) a WHERE a.privilege_type = 'SELECT' AND CASE WHEN a.grantee = 0 THEN true ELSE pg_has_role(a.grantee, 'USAGE') END)`;

const SHOWN = 10;

/** Undefined when the source has no large object. Throws when the decision is missing (strict) or cannot be carried out. */
export async function planLargeObjects(
  source: Client,
  settings: Pick<Settings, 'largeObjects' | 'strict'>,
  warnings: string[],
): Promise<LargeObjectPlan | undefined> {
  const found = await source.query<{ n: string; unreadable: string[] }>(
    `SELECT count(*)::text AS n, (array_agg(m.oid::text || ' (owner ' || pg_get_userbyid(m.lomowner) || ')' ORDER BY m.oid) FILTER (WHERE NOT (${READABLE})))[1:${SHOWN + 1}] AS unreadable
     FROM pg_largeobject_metadata m`,
  );
  const count = Number(found.rows[0]?.n ?? 0);
  if (count === 0) return undefined;
  const configured = settings.largeObjects;
  if (configured === undefined && settings.strict) {
    throw new UsageError(
      'LARGE_OBJECTS_UNDECIDED',
      `The source holds ${count === 1 ? '1 large object' : `${count} large objects`}, and strict mode wants a decision for them, as for a column.`,
      {
        nextStep:
          'Add one line to pgtwin.yaml: `large_objects: copy` (the same OIDs with their content, as they are), `large_objects: empty` (the same OIDs with no content: references resolve, nothing personal travels) or `large_objects: skip` (none on the target).',
      },
    );
  }
  const decision = configured ?? 'copy';
  if (configured === undefined) {
    warnings.push(
      `the source holds ${count === 1 ? '1 large object' : `${count} large objects`}: copied as they are, since large_objects is not set (set it to copy, empty or skip)`,
    );
  }
  const unreadable = found.rows[0]?.unreadable ?? [];
  if (decision === 'copy' && unreadable.length > 0) {
    const user = (await source.query<{ u: string }>('SELECT current_user AS u')).rows[0]?.u ?? 'the source user';
    throw new SyncError(
      'LARGE_OBJECTS_NOT_READABLE',
      `The source user ${user} may not read some of the large objects it would copy; nothing was written.`,
      {
        details: [...unreadable.slice(0, SHOWN), ...(unreadable.length > SHOWN ? ['...'] : [])],
        nextStep: `On the source, as their owner: GRANT SELECT ON LARGE OBJECT <oid> TO ${user}; for each of them, or set \`large_objects: empty\` or \`skip\` in pgtwin.yaml.`,
      },
    );
  }
  return { decision, configured: configured !== undefined, count, bytes: decision === 'copy' ? await totalBytes(source) : undefined };
}

/** Each object's size is its end offset; descriptors opened here close with the statement's transaction. */
async function totalBytes(source: Client): Promise<number> {
  const result = await source.query<{ bytes: string | null }>(
    'SELECT sum(lo_lseek64(lo_open(oid, 262144), 0, 2))::text AS bytes FROM pg_largeobject_metadata',
  );
  return Number(result.rows[0]?.bytes ?? 0);
}
