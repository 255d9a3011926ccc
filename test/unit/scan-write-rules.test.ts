import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { addRulesToYaml, writeRulesToConfig, type RuleAddition, type RuleAdditions } from '../../src/scan/index.js';
import { PgtwinError } from '../../src/errors.js';
import { load, withDir } from '../fixtures/config/temp-config.js';

const rule = (
  column: string,
  strategy: string,
  options: Record<string, unknown> = {},
  comment = `${strategy} (high): column name \`${column}\` suggests it`,
): RuleAddition => ({
  column,
  rule: { strategy, options },
  comment,
});

function additions(anonymize: Record<string, RuleAddition[]>, keep: Record<string, string[]> = {}): RuleAdditions {
  return { anonymize: new Map(Object.entries(anonymize)), keep: new Map(Object.entries(keep)) };
}

const EXISTING = `# Our twin of the shop database.
environments:
  production: { url: "\${PROD_URL}" } # read-only replica
source: production

# Reviewed by security on 2024-05-01.
anonymize:
  users:
    email: hash   # we hash emails on purpose
    # phone numbers keep their country
    phone: { strategy: phone, keep_country: true }
keep:
  users: [id]
strict: true
# end of file
`;

describe('addRulesToYaml', () => {
  it('adds rules and keep entries, keeps every comment, and lets existing rules win', async () => {
    const out = addRulesToYaml(
      EXISTING,
      additions(
        {
          users: [rule('email', 'email'), rule('full_name', 'name')],
          'public.orders': [rule('card', 'credit_card'), rule('city', 'fake', { kind: 'city' })],
        },
        { users: ['id', 'created_at'], 'public.orders': ['id', 'total'] },
      ),
    );
    for (const comment of [
      '# Our twin of the shop database.',
      '# read-only replica',
      '# Reviewed by security on 2024-05-01.',
      '# we hash emails on purpose',
      '# phone numbers keep their country',
      '# end of file',
    ]) {
      assert.ok(out.text.includes(comment), `comment kept: ${comment}\n${out.text}`);
    }
    // email already has a rule: the file's `hash` stays, no second email key.
    assert.match(out.text, /email: hash/);
    assert.equal(out.text.match(/^\s+email:/gm)?.length, 1);
    assert.equal(out.rules, 3);
    assert.equal(out.kept, 3, 'id was already kept');
    assert.match(out.text, /# name \(high\): column name `full_name` suggests it\n\s+full_name: name/);
    assert.match(out.text, /city: \{ strategy: fake, kind: city \}/);

    await withDir({ 'pgtwin.yaml': out.text }, async (dir) => {
      const settings = await load(dir, { env: { PROD_URL: 'postgres://reader@db/app' } });
      assert.deepEqual(settings.anonymize.get('users')?.get('email'), { strategy: 'hash', options: {} });
      assert.deepEqual(settings.anonymize.get('users')?.get('full_name'), { strategy: 'name', options: {} });
      assert.deepEqual(settings.anonymize.get('users')?.get('phone'), { strategy: 'phone', options: { keep_country: true } });
      assert.deepEqual(settings.anonymize.get('public.orders')?.get('city'), { strategy: 'fake', options: { kind: 'city' } });
      assert.deepEqual(settings.keep.get('users'), ['id', 'created_at']);
      assert.deepEqual(settings.keep.get('public.orders'), ['id', 'total']);
      assert.equal(settings.strict, true);
    });
  });

  it('starts a new document, with the sections explained, that loads', async () => {
    const out = addRulesToYaml(
      undefined,
      additions(
        { 'public.users': [rule('payload', 'json', { paths: { '$.contact.email': 'email', '$.ip': 'ip' } })] },
        { 'public.users': ['id'] },
      ),
    );
    assert.match(out.text, /^# Masking rules suggested by `pgtwin scan`/m);
    assert.match(out.text, /^# Columns `pgtwin scan` found no personal data in/m);
    await withDir({ 'pgtwin.yaml': out.text }, async (dir) => {
      const settings = await load(dir);
      assert.deepEqual(settings.anonymize.get('public.users')?.get('payload'), {
        strategy: 'json',
        options: { paths: { '$.contact.email': 'email', '$.ip': 'ip' } },
      });
      assert.deepEqual(settings.keep.get('public.users'), ['id']);
    });
  });

  it("appends to Confiture's list form and its `anonymization` key instead of adding a conflicting `anonymize`", async () => {
    const text = `anonymization:\n  orders:\n    - { column: cc, strategy: redact }\n`;
    const out = addRulesToYaml(text, additions({ orders: [rule('cc', 'credit_card'), rule('email', 'email')] }));
    assert.equal(out.rules, 1);
    assert.doesNotMatch(out.text, /^anonymize:/m);
    await withDir({ 'pgtwin.yaml': out.text }, async (dir) => {
      const settings = await load(dir);
      assert.deepEqual(settings.anonymize.get('orders')?.get('cc'), { strategy: 'redact', options: {} });
      assert.deepEqual(settings.anonymize.get('orders')?.get('email'), { strategy: 'email', options: {} });
    });
  });

  it('fills empty sections and table entries, and keeps a four-space indent', async () => {
    const text = 'anonymize: {}\nkeep:\n    users:\n';
    const out = addRulesToYaml(text, additions({ users: [rule('email', 'email')] }, { users: ['id'] }));
    assert.match(out.text, /^ {4}users:/m);
    await withDir({ 'pgtwin.yaml': out.text }, async (dir) => {
      const settings = await load(dir);
      assert.deepEqual(settings.anonymize.get('users')?.get('email'), { strategy: 'email', options: {} });
      assert.deepEqual(settings.keep.get('users'), ['id']);
    });
  });

  it('refuses files it cannot edit safely', () => {
    const code = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (error) {
        return error instanceof PgtwinError ? error.code : 'other';
      }
      return undefined;
    };
    const some = additions({ users: [rule('email', 'email')] });
    assert.equal(
      code(() => addRulesToYaml('- a\n- b\n', some)),
      'CONFIG_NOT_EDITABLE',
    );
    assert.equal(
      code(() => addRulesToYaml('anonymize: [1, 2]\n', some)),
      'CONFIG_NOT_EDITABLE',
    );
    assert.equal(
      code(() => addRulesToYaml('base: &rules {}\nanonymize: *rules\n', some)),
      'CONFIG_NOT_EDITABLE',
    );
    assert.equal(
      code(() => addRulesToYaml('anonymize: [unclosed\n', some)),
      'CONFIG_NOT_EDITABLE',
    );
  });

  it('changes nothing when there is nothing to add', () => {
    const out = addRulesToYaml(EXISTING, additions({}, {}));
    assert.equal(out.text, EXISTING);
    assert.equal(out.rules + out.kept, 0);
  });
});

describe('writeRulesToConfig', () => {
  it('edits the file in place and the result loads', async () => {
    await withDir({ 'pgtwin.yaml': EXISTING }, async (dir) => {
      const file = path.join(dir, 'pgtwin.yaml');
      const result = await writeRulesToConfig({
        path: file,
        additions: additions({ users: [rule('ssn', 'digits')] }, { users: ['name'] }),
        env: { PROD_URL: 'postgres://r@db/app' },
      });
      assert.deepEqual({ created: result.created, rules: result.rules, kept: result.kept }, { created: false, rules: 1, kept: 1 });
      const text = await readFile(file, 'utf8');
      assert.ok(text.startsWith('# Our twin of the shop database.\n'));
      const settings = await load(dir, { env: { PROD_URL: 'postgres://r@db/app' } });
      assert.deepEqual(settings.anonymize.get('users')?.get('ssn'), { strategy: 'digits', options: {} });
    });
  });

  it('creates a missing file, and refuses TOML', async () => {
    await withDir({}, async (dir) => {
      const file = path.join(dir, 'pgtwin.yaml');
      const result = await writeRulesToConfig({ path: file, additions: additions({ 'public.users': [rule('email', 'email')] }), env: {} });
      assert.equal(result.created, true);
      assert.match(await readFile(file, 'utf8'), /^# pgtwin configuration, started by `pgtwin scan --write`/);
      assert.equal((await load(dir)).anonymize.get('public.users')?.get('email')?.strategy, 'email');

      const toml = path.join(dir, 'pgtwin.toml');
      await writeFile(toml, 'strict = true\n');
      await assert.rejects(
        writeRulesToConfig({ path: toml, additions: additions({ users: [rule('email', 'email')] }), env: {} }),
        (e: unknown) => e instanceof PgtwinError && e.code === 'CONFIG_NOT_EDITABLE',
      );
    });
  });
});
