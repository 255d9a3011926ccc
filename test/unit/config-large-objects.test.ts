/** `large_objects:` takes copy, empty or skip; anything else is a problem naming the three; unset stays undecided. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { load, loadError, withDir } from '../fixtures/config/temp-config.js';

describe('config: large_objects', () => {
  it('reads each decision, and leaves it undefined when not set', async () => {
    for (const decision of ['copy', 'empty', 'skip'] as const) {
      await withDir({ 'pgtwin.yaml': `large_objects: ${decision}\n` }, async (dir) =>
        assert.equal((await load(dir)).largeObjects, decision),
      );
    }
    await withDir({ 'pgtwin.yaml': 'strict: true\n' }, async (dir) => assert.equal((await load(dir)).largeObjects, undefined));
  });

  it('refuses another value, naming the ones allowed', async () => {
    await withDir({ 'pgtwin.yaml': 'large_objects: mask\n' }, async (dir) => {
      const error = await loadError(dir);
      assert.match(error.details.join('\n'), /large_objects: expected one of copy, empty, skip, got "mask"/);
    });
  });
});
