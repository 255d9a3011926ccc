/**
 * The names of the objects pgtwin keeps on the source for `setup-source` and
 * `teardown`. These commands never connect to the target: it only names the
 * slot, so it is resolved but neither started nor checked.
 */
import { LOCAL_ENVIRONMENT, resolveEndpoint } from '../config/index.js';
import type { Settings } from '../config/index.js';
import { UsageError } from '../errors.js';
import { toEndpoint } from '../pg/endpoint.js';
import { DEFAULT_PUBLICATION, defaultSlotName, isValidSlotName } from './names.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The slot of the twin: --slot, or the name derived from the target's display
 * URL exactly as `pgtwin follow` derives it (the built-in `local` server when
 * no target is given), so that setup, follow and teardown agree without being told.
 */
export function twinSlotName(settings: Settings, env: Env, explicit: string | undefined): string {
  if (explicit !== undefined) {
    if (!isValidSlotName(explicit)) {
      throw new UsageError('BAD_FLAGS', `--slot "${explicit}" is not a valid replication slot name.`, {
        nextStep: 'Slot names use lower-case letters, digits and _ only, at most 63 characters.',
      });
    }
    return explicit;
  }
  const withTarget = settings.target === undefined || settings.target === '' ? { ...settings, target: LOCAL_ENVIRONMENT } : settings;
  return defaultSlotName(toEndpoint(resolveEndpoint(withTarget, 'target'), 'target', env).display);
}

/** PostgreSQL truncates longer names silently, and the truncated name would then never be found again. */
export function checkedObjectName(flag: string, value: string | undefined, fallback: string): string {
  const name = value ?? fallback;
  if (name === '' || Buffer.byteLength(name) > 63 || name.includes('\u0000')) {
    throw new UsageError('BAD_FLAGS', `--${flag} needs a name of 1 to 63 bytes.`, { nextStep: `For example --${flag} ${fallback}.` });
  }
  return name;
}

export function publicationName(value: string | undefined): string {
  return checkedObjectName('publication', value, DEFAULT_PUBLICATION);
}
