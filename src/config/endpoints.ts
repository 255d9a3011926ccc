/**
 * Turns `settings.source` / `settings.target` (an environment name or a URL) into
 * the connection to use. Kept apart from loading because `--from`/`--to` may name
 * an environment that only this step can check, and commands that need one side
 * only (scan, capture) must not fail for the other.
 */

import { UsageError } from '../errors.js';
import { didYouMeanSuffix } from '../did-you-mean.js';
import { environmentNamed, LOCAL_ENVIRONMENT } from './embedded.js';
import { sanitizeUrl } from './sanitize-url.js';
import type { EnvironmentSettings, Settings } from './settings.js';

const POSTGRES_URL = /^postgres(?:ql)?:\/\//i;

export function isPostgresUrl(value: string): boolean {
  return POSTGRES_URL.test(value);
}

/**
 * Why a source/target value cannot be used, or undefined when it can. Something
 * with a `://` that is not a postgres URL would otherwise be taken for an
 * environment name and echoed in "unknown environment" messages.
 */
export function endpointProblem(value: string): string | undefined {
  if (value.includes('://') && !isPostgresUrl(value)) {
    return 'expected an environment name or a postgres:// or postgresql:// URL (value not shown)';
  }
  return undefined;
}

export function resolveEndpoint(settings: Settings, role: 'source' | 'target'): EnvironmentSettings {
  const value = role === 'source' ? settings.source : settings.target;
  const flag = role === 'source' ? '--from' : '--to';
  const envVar = role === 'source' ? 'PGTWIN_SOURCE_URL' : 'PGTWIN_TARGET_URL';
  if (value === undefined || value === '') {
    throw new UsageError(role === 'source' ? 'NO_SOURCE' : 'NO_TARGET', `No ${role} database given.`, {
      nextStep: `Pass ${flag} <environment or postgres:// URL>, set \`${role}:\` in pgtwin.yaml, or set ${envVar}.`,
    });
  }
  if (isPostgresUrl(value)) return { name: sanitizeUrl(value), url: value };
  const environment = environmentNamed(settings, value);
  if (environment !== undefined) return environment;

  const known = [...settings.environments.keys()];
  const shown = sanitizeUrl(value);
  const where = settings.configPath === undefined ? 'the config file' : settings.configPath;
  throw new UsageError(
    'UNKNOWN_ENVIRONMENT',
    `Unknown ${role} environment "${shown}"${didYouMeanSuffix(value, [...known, LOCAL_ENVIRONMENT])}.`,
    {
      details: [
        known.length === 0 ? `no environments are defined in ${where}` : `known environments: ${known.map(sanitizeUrl).join(', ')}`,
      ],
      nextStep:
        known.length === 0
          ? `Define it under \`environments:\` in pgtwin.yaml, or pass a postgres:// URL to ${flag}.`
          : `Use one of the known environments, define "${shown}" under \`environments:\` in pgtwin.yaml, or pass a postgres:// URL to ${flag}.`,
    },
  );
}
