import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isLocalHost, looksLikeSameDatabase, toEndpoint } from '../../src/pg/endpoint.js';

const endpoint = (url: string, env: Record<string, string> = {}) => toEndpoint({ name: 'x', url }, 'target', env);

describe('endpoints', () => {
  it('knows what is local', () => {
    for (const host of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '/var/run/postgresql', 'db.localhost'])
      assert.ok(isLocalHost(host), host);
    for (const host of ['db.example.com', '10.0.0.5', '192.168.1.1', '128.0.0.1', 'localhost.example.com'])
      assert.ok(!isLocalHost(host), host);
  });

  it('parses URLs with defaults from the environment and never shows the password', () => {
    const e = endpoint('postgres://app:s3cret@db.example.com:6543/prod');
    assert.deepEqual([e.hosts, e.port, e.database, e.user], [['db.example.com'], 6543, 'prod', 'app']);
    assert.ok(!e.display.includes('s3cret'));
    const socket = endpoint('postgresql:///twin?host=/tmp', { PGUSER: 'dev' });
    assert.deepEqual([socket.hosts, socket.port, socket.database, socket.user], [['/tmp'], 5432, 'twin', 'dev']);
    assert.deepEqual(endpoint('postgres:///db', { PGHOST: 'remote.example.com' }).hosts, ['remote.example.com']);
  });

  it('treats every local spelling of one port and database as the same database', () => {
    assert.ok(looksLikeSameDatabase(endpoint('postgres://a@localhost:5432/app'), endpoint('postgres://b@127.0.0.1:5432/app')));
    assert.ok(!looksLikeSameDatabase(endpoint('postgres://a@localhost:5432/app'), endpoint('postgres://a@localhost:5432/app_twin')));
    assert.ok(!looksLikeSameDatabase(endpoint('postgres://a@localhost:5432/app'), endpoint('postgres://a@localhost:5433/app')));
  });
});
