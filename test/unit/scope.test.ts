import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceScope, withScope } from '../../src/scope.js';

describe('resource scope', () => {
  it('releases in reverse order, even after a failure, and keeps the original error', async () => {
    const order: string[] = [];
    await assert.rejects(
      withScope(async (scope) => {
        scope.add('a', () => order.push('a'));
        scope.add('b', () => {
          order.push('b');
          throw new Error('release of b failed');
        });
        scope.defer(() => order.push('c'));
        throw new Error('work failed');
      }),
      /work failed/,
    );
    assert.deepEqual(order, ['c', 'b', 'a']);
  });

  it('reports release problems', async () => {
    const scope = new ResourceScope();
    scope.defer(() => Promise.reject(new Error('boom')), 'thing');
    assert.deepEqual(await scope.close(), ['thing: boom']);
  });
});
