/**
 * Errors of the masking engine. A failing mask must never put the value it was
 * given into a message: the value is personal data, and messages end up in
 * terminals, logs, CI output and tickets.
 */
import { PgtwinError, SafetyError, UsageError, type PgtwinErrorOptions } from '../errors.js';

export interface MaskSite {
  readonly table: string;
  readonly column: string;
  readonly strategy: string;
}

/** A strategy threw while masking a value: fails the table so nothing is committed half-masked. */
export class AnonymizationError extends PgtwinError {
  readonly table: string;
  readonly column: string;
  readonly strategy: string;

  constructor(site: MaskSite, message: string, options: PgtwinErrorOptions = {}) {
    super('ANONYMIZATION_FAILED', 'failure', message, options);
    this.table = site.table;
    this.column = site.column;
    this.strategy = site.strategy;
  }
}

/**
 * Wraps whatever a strategy threw. The original error is not kept as `cause`
 * (its message or stack may quote the value); its class and message go into the
 * details with every occurrence of the value blanked out.
 */
export function maskFailure(site: MaskSite, thrown: unknown, value: string | null): AnonymizationError {
  const name = thrown instanceof Error ? thrown.name : typeof thrown;
  const raw = thrown instanceof Error ? thrown.message : String(thrown);
  return new AnonymizationError(site, `strategy \`${site.strategy}\` failed on a value of ${site.table}.${site.column}`, {
    details: [`${name}: ${scrub(raw, value)}`],
    nextStep: 'fix the strategy or its options, or choose another strategy for this column; the table was not committed',
  });
}

/** `text` with the value (and, for long values, any 8-character piece of it) replaced by `<value>`. */
export function scrub(text: string, value: string | null): string {
  if (value === null || value.length === 0) return text;
  let out = text.split(value).join('<value>');
  // A strategy may quote only part of the value (the local part of an email, a
  // few digits); blank any shared run of 8+ characters too.
  const piece = 8;
  if (value.length > piece) {
    for (let i = 0; i + piece <= value.length; i++) {
      const fragment = value.slice(i, i + piece);
      if (out.includes(fragment)) out = out.split(fragment).join('<…>');
    }
  }
  return out;
}

/** Masking rules that cannot work on this schema; every problem is listed in `details`. */
export class MaskRulesError extends UsageError {
  readonly problems: readonly { readonly table: string; readonly column: string; readonly message: string }[];

  constructor(problems: readonly { readonly table: string; readonly column: string; readonly message: string }[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super('MASK_RULES_INVALID', `the masking rules have ${count}`, {
      details: problems.map((p) => `${p.table}.${p.column}: ${p.message}`),
      nextStep: 'fix the `anonymize:` rules in pgtwin.yaml; `pgtwin plan` checks them without copying anything',
    });
    this.problems = problems;
  }
}

/** No masking secret is available although masking is configured. */
export function noSecretError(): UsageError {
  return new UsageError('NO_SECRET', 'masking is configured but no masking secret is available', {
    nextStep:
      'run `pgtwin keygen` and add `secret_file: .pgtwin/secret.key` to pgtwin.yaml (keep the file out of version control), ' +
      'or export PGTWIN_SECRET=<64 hex characters>, e.g. from `openssl rand -hex 32`',
  });
}

export function badSecretError(where: string, problem: string): UsageError {
  return new UsageError('SECRET_INVALID', `the masking secret in ${where} ${problem}`, {
    nextStep: 'use at least 128 bits of random data written as hex or base64; `pgtwin keygen` writes a suitable key file',
  });
}

export function unsafeSecretFileError(path: string, mode: number): SafetyError {
  return new SafetyError(
    'SECRET_FILE_UNSAFE',
    `the masking secret file ${path} can be read by other users (mode ${(mode & 0o777).toString(8).padStart(3, '0')})`,
    { nextStep: `run \`chmod 600 ${path}\` so that only its owner can read it` },
  );
}
