import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compilePattern, specificity, splitPattern } from '../../src/plan/table-patterns.js';

const t = (schema: string, name: string) => ({ schema, name });

describe('table patterns', () => {
  it('qualified patterns match schema and name, bare ones the name in any schema', () => {
    assert.ok(compilePattern('public.*').matches(t('public', 'users')));
    assert.ok(!compilePattern('public.*').matches(t('billing', 'users')));
    assert.ok(compilePattern('*_log').matches(t('audit', 'access_log')));
    assert.ok(compilePattern('users').matches(t('crm', 'users')));
    assert.ok(!compilePattern('users').matches(t('crm', 'users_old')));
    assert.ok(compilePattern('user?').matches(t('x', 'users')));
  });

  it('is case-sensitive and treats regex characters literally', () => {
    assert.ok(!compilePattern('Users').matches(t('public', 'users')));
    assert.ok(compilePattern('a+b').matches(t('public', 'a+b')));
    assert.ok(!compilePattern('a+b').matches(t('public', 'aab')));
  });

  it('understands quoted names with dots and spaces', () => {
    assert.deepEqual(splitPattern('"Sales Data"."Customers"'), { schema: 'Sales Data', name: 'Customers' });
    assert.deepEqual(splitPattern('"odd.name"'), { schema: undefined, name: 'odd.name' });
    assert.ok(compilePattern('"Sales Data".*').matches(t('Sales Data', 'Customers')));
  });

  it('ranks exact qualified over exact bare over globs', () => {
    assert.ok(specificity(compilePattern('public.users')) > specificity(compilePattern('users')));
    assert.ok(specificity(compilePattern('users')) > specificity(compilePattern('public.*')));
  });
});
