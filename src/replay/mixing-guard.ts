/**
 * One archive per twin, masked one way: a twin records the archive id, rules
 * digest and key fingerprint of its base (src/replay/archive-twin.ts), and
 * apply refuses an archive, or a base of it, that differs. The archive
 * manifest holds its first base's digest and fingerprint; a later base
 * (capture --new-base) holds its own.
 */
import { SafetyError } from '../errors.js';
import { listBases, readBaseManifest } from '../archive/archive-files.js';
import { ArchiveError } from '../archive/errors.js';
import { parseBaseName } from '../archive/layout.js';
import type { ArchiveManifest, BaseManifest } from '../archive/manifest.js';
import type { ArchiveStore } from '../store/store.js';
import type { ArchiveTwin } from './archive-twin.js';

/** A base that names another archive than the manifest beside it. */
export function refuseMixedBase(base: BaseManifest, archive: ArchiveManifest): void {
  if (base.archiveId !== archive.archiveId) {
    throw new ArchiveError('ARCHIVE_FOREIGN_FILE', `Base ${base.name} belongs to another archive (${base.archiveId}).`, {
      nextStep: 'The archive directory mixes two archives: run pgtwin archive verify and remove what does not belong.',
    });
  }
}

/** The twin was built from another archive, or under another key or rule set: nothing is applied. */
export function refuseOther(twin: ArchiveTwin, archive: ArchiveManifest, location: string): void {
  const problems: string[] = [];
  if (twin.archiveId !== archive.archiveId)
    problems.push(`the twin was built from archive ${twin.archiveId} (${twin.location}), this is ${archive.archiveId}`);
  else if (parseBaseName(twin.base)?.seq === 1) {
    // The archive's manifest holds its first base's digest and fingerprint (a later base may differ: capture --new-base).
    if (twin.rulesDigest !== archive.rulesDigest) problems.push('the masking rules differ from those the twin was built with');
    if (twin.keyFingerprint !== archive.keyFingerprint) problems.push('the masking key differs from the one the twin was built with');
  }
  if (problems.length === 0) return;
  throw new SafetyError('ARCHIVE_MISMATCH', `The twin cannot take changes from ${location}: ${problems[0]}.`, {
    details: problems,
    nextStep:
      'Nothing was applied. To rebuild the twin from this archive, run pgtwin apply --recreate (it drops the twin tables of the base).',
  });
}

/** The twin's own base, or a newer one, written under other rules or another key: their changes do not fit this twin. */
export async function refuseRebasedWithOtherRules(
  store: ArchiveStore,
  archive: ArchiveManifest,
  twin: ArchiveTwin | undefined,
): Promise<void> {
  if (twin === undefined) return;
  for (const listed of await listBases(store)) {
    if (!listed.complete || listed.seq < (parseBaseName(twin.base)?.seq ?? 0)) continue;
    const base = await readBaseManifest(store, listed.name);
    if (base.rulesDigest !== twin.rulesDigest || base.keyFingerprint !== twin.keyFingerprint) {
      throw new SafetyError(
        'ARCHIVE_MISMATCH',
        `Base ${base.name} of ${store.display} was masked with other rules or another key than this twin.`,
        {
          nextStep: `The changes after it do not fit the twin: run pgtwin apply --recreate to rebuild the twin from base ${base.name}.`,
        },
      );
    }
  }
  void archive;
}
