/**
 * Before streaming: the publication exists and publishes every table the twin
 * follows, partitioned ones through their root. Without this a table would
 * silently stop changing in the twin.
 */
import type { Client } from '../pg/connect.js';
import type { SyncPlan } from '../plan/plan.js';
import { FollowError } from '../stream/follow-errors.js';

/** `added`: tables just added to the selection of a twin that already follows (worded for that case). */
export async function checkPublication(
  source: Client,
  publication: string,
  plan: SyncPlan,
  added: ReadonlySet<string> = new Set(),
): Promise<void> {
  const pub = await source.query<{
    alltables: boolean;
    pubviaroot: boolean;
    pubupdate: boolean;
    pubdelete: boolean;
    pubinsert: boolean;
    pubtruncate: boolean;
  }>('SELECT puballtables AS alltables, pubviaroot, pubinsert, pubupdate, pubdelete, pubtruncate FROM pg_publication WHERE pubname = $1', [
    publication,
  ]);
  const row = pub.rows[0];
  const setup = `Run \`pgtwin setup-source\` (it creates or fixes the publication ${publication} for the selected tables).`;
  if (row === undefined) {
    throw new FollowError('SOURCE_NOT_READY', `The source has no publication ${publication}.`, { nextStep: setup });
  }
  const problems: string[] = [];
  if (!(row.pubinsert && row.pubupdate && row.pubdelete && row.pubtruncate))
    problems.push(`publication ${publication} does not publish every kind of change (insert, update, delete, truncate)`);
  if (!row.pubviaroot && plan.tables.some((t) => t.source.kind === 'partitioned')) {
    problems.push(`publication ${publication} publishes partitions under their own names; set publish_via_partition_root = true`);
  }
  if (!row.alltables) {
    const listed = await source.query<{ key: string }>(
      "SELECT schemaname || '.' || tablename AS key FROM pg_publication_tables WHERE pubname = $1",
      [publication],
    );
    const published = new Set(listed.rows.map((r) => r.key));
    for (const t of plan.tables) {
      if (published.has(t.key)) continue;
      problems.push(
        added.has(t.key)
          ? `${t.key} was added to the selection and is not in publication ${publication} yet`
          : `${t.key} is not in publication ${publication}`,
      );
    }
  }
  if (problems.length > 0) {
    // Follow does not change the publication itself: that takes the tables' owner and a confirmation, which setup-source has.
    const nextStep = [...added].some((key) => problems.some((p) => p.startsWith(`${key} `)))
      ? `Run \`pgtwin setup-source\` (it adds the tables to the publication ${publication}), then follow again: it copies the added tables from a new snapshot and follows them; nothing was changed.`
      : setup;
    throw new FollowError('SOURCE_NOT_READY', `The publication ${publication} does not cover what the twin follows.`, {
      details: problems,
      nextStep,
    });
  }
}
