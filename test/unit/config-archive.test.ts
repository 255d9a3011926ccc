/** `archive:` is the location capture and apply use without --archive: a directory against the config file, a URL as written. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { load, loadError, withDir } from '../fixtures/config/temp-config.js';

describe('config: archive', () => {
  it('resolves a directory against the config file and keeps a URL as written', async () => {
    await withDir({ 'pgtwin.yaml': 'archive: backups/shop\n' }, async (dir) =>
      assert.equal((await load(dir)).archive, join(dir, 'backups/shop')),
    );
    await withDir({ 'pgtwin.yaml': 'archive: s3://twin-archive/shop\n' }, async (dir) =>
      assert.equal((await load(dir)).archive, 's3://twin-archive/shop'),
    );
    await withDir({ 'pgtwin.yaml': 'strict: true\n' }, async (dir) => assert.equal((await load(dir)).archive, undefined));
  });

  it('refuses an empty or non-string location', async () => {
    await withDir({ 'pgtwin.yaml': "archive: ''\n" }, async (dir) =>
      assert.match((await loadError(dir)).details.join('\n'), /archive: must not be empty/),
    );
    await withDir({ 'pgtwin.yaml': 'archive: [a, b]\n' }, async (dir) =>
      assert.match((await loadError(dir)).details.join('\n'), /archive: /),
    );
  });
});
