/** `embedded: true` environments in pgtwin.yaml, and the built-in `local` (no server is started here). */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { environmentNamed, resolveEndpoint } from '../../src/config/index.js';
import { load, loadError, withDir } from '../fixtures/config/temp-config.js';

const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;

describe('config: embedded environments', () => {
  it('reads port, data_dir (against the file) and version, and gives a URL without a password', async () => {
    const text = yaml(
      'environments:',
      '  twin:',
      '    embedded: true',
      '    port: 55001',
      '    data_dir: ./data/twin',
      '    version: 18',
      'target: twin',
    );
    await withDir({ 'pgtwin.yaml': text }, async (dir) => {
      const settings = await load(dir);
      const twin = settings.environments.get('twin');
      assert.deepEqual(twin, {
        name: 'twin',
        url: 'postgres://postgres@127.0.0.1:55001/postgres',
        embedded: { port: 55001, dataDir: path.join(dir, 'data', 'twin'), version: '18' },
      });
      assert.deepEqual(resolveEndpoint(settings, 'target'), twin);
    });
  });

  it('gives an embedded environment the defaults: port 54329, .pgtwin/local beside the file', async () => {
    await withDir({ 'pgtwin.yaml': yaml('environments:', '  local: { embedded: true }') }, async (dir) => {
      const local = (await load(dir)).environments.get('local');
      assert.deepEqual(local?.embedded, { port: 54329, dataDir: path.join(dir, '.pgtwin', 'local'), version: undefined });
    });
  });

  it('has a built-in `local` when the file defines none, not listed among the file environments', async () => {
    await withDir(
      { 'pgtwin.yaml': yaml('environments:', '  production: { url: "postgres://u:pw@prod/app" }', 'target: local') },
      async (dir) => {
        const settings = await load(dir);
        assert.deepEqual([...settings.environments.keys()], ['production']);
        const local = resolveEndpoint(settings, 'target');
        assert.equal(local.builtIn, true);
        assert.deepEqual(local.embedded, { port: 54329, dataDir: path.join(dir, '.pgtwin', 'local'), version: undefined });
        assert.ok(!local.url.includes(':pw@'));
      },
    );
  });

  it('puts the built-in `local` in the working directory when there is no file', async () => {
    await withDir({}, async (dir) => {
      const local = environmentNamed(await load(dir), 'local', dir);
      assert.equal(local?.embedded?.dataDir, path.join(dir, '.pgtwin', 'local'));
    });
  });

  it('lets the file redefine `local` as an ordinary URL environment', async () => {
    await withDir({ 'pgtwin.yaml': yaml('environments:', '  local: { url: "postgres://me@localhost/app" }') }, async (dir) => {
      const local = environmentNamed(await load(dir), 'local', dir);
      assert.deepEqual(local, { name: 'local', url: 'postgres://me@localhost/app' });
    });
  });

  it('reports every wrong combination at once, with positions', async () => {
    const text = yaml(
      'environments:',
      '  a: { embedded: true, url: "postgres://x@h/db" }', // line 2
      '  b: { url: "postgres://x@h/db", port: 5432 }', // line 3
      '  c: { embedded: true, port: 70000, version: "latest" }', // line 4
      '  d: { embedded: "yes" }', // line 5
    );
    await withDir({ 'pgtwin.yaml': text }, async (dir) => {
      const error = await loadError(dir);
      assert.equal(error.exitCode, 2);
      const details = error.details.join('\n');
      assert.match(details, /pgtwin\.yaml:2:\d+: environments\.a\.url: an embedded server has no `url`/);
      assert.match(details, /pgtwin\.yaml:3:\d+: environments\.b\.port: only for embedded servers: add `embedded: true`/);
      assert.match(details, /pgtwin\.yaml:4:\d+: environments\.c\.port: expected a TCP port \(1-65535\), got 70000/);
      assert.match(details, /pgtwin\.yaml:4:\d+: environments\.c\.version: expected a PostgreSQL major version such as 18/);
      assert.match(details, /pgtwin\.yaml:5:\d+: environments\.d\.embedded: expected true or false/);
      assert.ok(!details.includes('postgres://x@h'), 'values are not echoed');
    });
  });
});
