/**
 * A digest of the masking rules an archive was written with: per table, the
 * rules by column in canonical form. Two captures with equal rules give equal
 * digests whatever the order of the YAML; a twin built from one archive
 * refuses changes masked under another digest (they would not match its rows).
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../anonymize/index.js';
import type { MaskTableSpec } from '../mask/run-masks.js';

export function rulesDigest(specs: readonly MaskTableSpec[]): string {
  const rules = [...specs]
    .map((s) => ({ table: s.table, rules: [...s.rules].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) }))
    .sort((a, b) => (a.table < b.table ? -1 : a.table > b.table ? 1 : 0));
  return createHash('sha256')
    .update(canonicalJson({ version: 1, rules }))
    .digest('hex');
}
