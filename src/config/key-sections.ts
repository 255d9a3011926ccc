/**
 * Where each known key lives, so a key written in the wrong section gets
 * pointed at its place (`jobs` at the top level: "did you mean
 * `options.jobs`?") instead of only being called unknown. The lists mirror
 * the key handlers of validate.ts, sections.ts, confiture.ts and
 * confiture-database.ts; test/unit/config-key-sections.test.ts checks that
 * every key listed here is accepted where it is listed.
 */

import { didYouMean } from '../did-you-mean.js';
import type { Path } from './problems.js';

export interface KeySection {
  /** As shown to the user: `options`, `environments.<name>`; '' for the top level. */
  readonly label: string;
  /** Whether a mapping at this path is this section. */
  readonly matches: (path: Path) => boolean;
  readonly keys: readonly string[];
}

const is =
  (...parts: readonly (string | undefined)[]) =>
  (path: Path): boolean =>
    path.length === parts.length && parts.every((part, i) => part === undefined || path[i] === part);

export const KEY_SECTIONS: readonly KeySection[] = [
  {
    label: '',
    matches: is(),
    keys: [
      'environments',
      'source',
      'target',
      'tables',
      'anonymize',
      'keep',
      'strict',
      'strategies',
      'secret_file',
      'archive',
      'options',
      'source_url',
      'target_url',
      'batch_size',
      'show_progress',
      'parallel',
      'parallelism',
      'verbose',
      'anonymization',
      'checkpoint_file',
      'version',
    ],
  },
  {
    label: 'options',
    matches: is('options'),
    keys: [
      'jobs',
      'batch_size',
      'allow_remote_target',
      'show_progress',
      'cascade',
      'mask_workers',
      'split_tables_larger_than',
      'checkpoint_file',
      'verbose',
    ],
  },
  { label: 'archive', matches: is('archive'), keys: ['location', 'new_base_after'] },
  { label: 'tables', matches: is('tables'), keys: ['include', 'exclude', 'filters'] },
  { label: 'tables.filters.<table>', matches: is('tables', 'filters', undefined), keys: ['where', 'limit'] },
  {
    label: 'environments.<name>',
    matches: is('environments', undefined),
    keys: ['url', 'database', 'embedded', 'port', 'data_dir', 'version', 'schema_dirs', 'seed_dirs'],
  },
  {
    label: 'environments.<name>.database',
    matches: is('environments', undefined, 'database'),
    keys: ['url', 'host', 'port', 'database', 'user', 'password', 'sslmode'],
  },
];

/** Keys that mean something else in another section: pointing there would mislead. */
const NOT_SUGGESTED = new Set(['version', 'database']);

function normalize(key: string): string {
  return key.toLowerCase().replaceAll('-', '_');
}

function qualified(section: KeySection, key: string): string {
  return section.label === '' ? key : `${section.label}.${key}`;
}

/**
 * The place of an unknown key `key` found in the mapping at `path`: the same
 * key in another section, else a close spelling of one. Undefined when the
 * mapping at `path` is not a known section or nothing fits.
 */
export function keyElsewhere(key: string, path: Path): string | undefined {
  const here = KEY_SECTIONS.find((s) => s.matches(path));
  if (here === undefined) return undefined;
  const others = KEY_SECTIONS.filter((s) => s !== here);
  const wanted = normalize(key);
  for (const section of others) {
    const exact = section.keys.find((k) => normalize(k) === wanted && !NOT_SUGGESTED.has(k));
    if (exact !== undefined) return qualified(section, exact);
  }
  const candidates = others.flatMap((section) => section.keys.filter((k) => !NOT_SUGGESTED.has(k)).map((k) => ({ section, key: k })));
  const near = didYouMean(
    key,
    candidates.map((c) => c.key),
  );
  const found = candidates.find((c) => c.key === near);
  return found === undefined ? undefined : qualified(found.section, found.key);
}
