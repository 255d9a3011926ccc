import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveEndpoint, type Settings } from '../../src/config/index.js';
import { PgtwinError, UsageError } from '../../src/errors.js';
import { load, withDir } from '../fixtures/config/temp-config.js';

const FILE = [
  'environments:',
  '  production: { url: "postgres://reader:prodpw@prod/app" }',
  '  staging: { url: "postgres://app@staging/app" }',
  '',
].join('\n');

function settingsWith(source: string | undefined, target: string | undefined): Promise<Settings> {
  return withDir({ 'pgtwin.yaml': FILE }, (dir) => load(dir, { overrides: { source, target } }));
}

function thrown(body: () => unknown): PgtwinError {
  try {
    body();
  } catch (error) {
    if (error instanceof PgtwinError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('resolveEndpoint', () => {
  it('resolves an environment name', async () => {
    const settings = await settingsWith('production', 'staging');
    assert.deepEqual(resolveEndpoint(settings, 'source'), { name: 'production', url: 'postgres://reader:prodpw@prod/app' });
    assert.deepEqual(resolveEndpoint(settings, 'target'), { name: 'staging', url: 'postgres://app@staging/app' });
  });

  it('takes a URL as it is, named by its sanitized form', async () => {
    const settings = await settingsWith('postgresql://u:pw@host:5433/db', undefined);
    assert.deepEqual(resolveEndpoint(settings, 'source'), {
      name: 'postgresql://u:***@host:5433/db',
      url: 'postgresql://u:pw@host:5433/db',
    });
  });

  it('rejects an unknown environment with the known names and a suggestion', async () => {
    const settings = await settingsWith('prodution', undefined);
    const error = thrown(() => resolveEndpoint(settings, 'source'));
    assert.ok(error instanceof UsageError);
    assert.equal(error.code, 'UNKNOWN_ENVIRONMENT');
    assert.equal(error.exitCode, 2);
    assert.equal(error.message, 'Unknown source environment "prodution" (did you mean `production`?).');
    assert.deepEqual(error.details, ['known environments: production, staging']);
    assert.doesNotMatch([error.message, ...error.details, error.nextStep].join('\n'), /prodpw/);
  });

  it('never echoes a password in an unknown name', async () => {
    const settings = await settingsWith('user:hunter2@somewhere/db', undefined);
    const error = thrown(() => resolveEndpoint(settings, 'source'));
    assert.doesNotMatch([error.message, ...error.details, error.nextStep].join('\n'), /hunter2/);
  });

  it('says how to give a missing source or target', async () => {
    const settings = await settingsWith(undefined, undefined);
    const source = thrown(() => resolveEndpoint(settings, 'source'));
    assert.equal(source.code, 'NO_SOURCE');
    assert.match(source.nextStep ?? '', /--from .*`source:` in pgtwin\.yaml.*PGTWIN_SOURCE_URL/);
    const target = thrown(() => resolveEndpoint(settings, 'target'));
    assert.equal(target.code, 'NO_TARGET');
    assert.match(target.nextStep ?? '', /--to .*`target:` in pgtwin\.yaml.*PGTWIN_TARGET_URL/);
  });
});
