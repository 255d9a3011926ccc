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

  it('takes a mapping with the location and the new-base schedule, as a duration', async () => {
    await withDir({ 'pgtwin.yaml': 'archive:\n  location: backups/shop\n  new_base_after: 7d\n' }, async (dir) => {
      const settings = await load(dir);
      assert.equal(settings.archive, join(dir, 'backups/shop'));
      assert.equal(settings.newBaseAfterMs, 7 * 24 * 3600 * 1000);
    });
    await withDir({ 'pgtwin.yaml': 'archive:\n  new_base_after: 1.5h\n' }, async (dir) => {
      const settings = await load(dir);
      assert.equal(settings.archive, undefined);
      assert.equal(settings.newBaseAfterMs, 90 * 60 * 1000);
    });
    await withDir({ 'pgtwin.yaml': 'archive: backups/shop\n' }, async (dir) => assert.equal((await load(dir)).newBaseAfterMs, undefined));
    await withDir({ 'pgtwin.yaml': 'archive:\n  new_base_after: weekly\n' }, async (dir) =>
      assert.match((await loadError(dir)).details.join('\n'), /archive\.new_base_after: expected a duration such as 7d/),
    );
    await withDir({ 'pgtwin.yaml': 'archive:\n  new_base_afer: 7d\n' }, async (dir) =>
      assert.match((await loadError(dir)).details.join('\n'), /new_base_afer/),
    );
  });
});
