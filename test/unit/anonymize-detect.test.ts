import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { detectPii, type PiiFinding } from '../../src/anonymize/index.js';

function kinds(findings: readonly PiiFinding[]): string[] {
  return findings.map((f) => f.kind);
}

const repeat = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));

describe('detectPii', () => {
  it('finds emails by name and by values, with evidence and a rule', () => {
    const [finding] = detectPii({ name: 'contactEmail', type: 'text', values: repeat(50, (i) => `p${i}@example.org`) });
    assert.equal(finding?.kind, 'email');
    assert.equal(finding?.confidence, 'high');
    assert.deepEqual(finding?.suggestion, { strategy: 'email', options: {} });
    assert.match(finding?.evidence.join('\n') ?? '', /column name `contactEmail`.*\n50 of 50 sampled values look like email addresses/);
  });

  it('never quotes sampled values in its evidence', () => {
    const values = repeat(20, (i) => `+1 555 01${String(i).padStart(2, '0')}`);
    const findings = detectPii({ name: 'notes', type: 'text', values });
    const evidence = findings.flatMap((f) => f.evidence).join('\n');
    for (const value of values) assert.ok(!evidence.includes(value));
  });

  it('recognises phones, Luhn-valid cards, SSNs and IPs from values alone', () => {
    assert.deepEqual(kinds(detectPii({ name: 'c1', type: 'text', values: repeat(20, (i) => `(555) 010-${String(1000 + i)}`) })), ['phone']);
    assert.deepEqual(
      kinds(detectPii({ name: 'c2', type: 'text', values: ['4111 1111 1111 1111', '5500-0000-0000-0004', '340000000000009'] })),
      ['credit_card'],
    );
    // Same shape, failing Luhn: not cards.
    assert.ok(
      !kinds(detectPii({ name: 'c3', type: 'text', values: ['4111 1111 1111 1112', '5500-0000-0000-0005'] })).includes('credit_card'),
    );
    assert.deepEqual(kinds(detectPii({ name: 'c4', type: 'text', values: ['123-45-6789', '987-65-4321'] })), ['ssn']);
    assert.deepEqual(kinds(detectPii({ name: 'c5', type: 'text', values: ['10.0.0.1', '2001:db8::1', '192.168.1.20'] })), ['ip']);
  });

  it('recognises names and street addresses', () => {
    assert.deepEqual(kinds(detectPii({ name: 'who', type: 'text', values: ['Maria Garcia', 'John Smith', 'Wei Chen', 'Priya Patel'] })), [
      'name',
    ]);
    assert.deepEqual(kinds(detectPii({ name: 'where', type: 'text', values: ['12 Main Street', '4 Elm Ave', '221B Baker Street'] })), [
      'address',
    ]);
  });

  it('uses column names for birth dates, secrets and more, suggesting rules that fit the type', () => {
    const [dob] = detectPii({ name: 'date_of_birth', type: 'date', values: ['1980-01-01'] });
    assert.equal(dob?.kind, 'birth_date');
    assert.deepEqual(dob?.suggestion, { strategy: 'date', options: { days: 180 } });
    assert.equal(detectPii({ name: 'password_hash', type: 'text', values: [] })[0]?.kind, 'secret');
    assert.deepEqual(detectPii({ name: 'phone', type: 'bigint', values: ['15550100'] })[0]?.suggestion, {
      strategy: 'digits',
      options: {},
    });
    assert.deepEqual(detectPii({ name: 'last_login_ip', type: 'inet', values: [] })[0]?.suggestion, { strategy: 'ip', options: {} });
    assert.equal(detectPii({ name: 'zip_code', type: 'text', values: [] })[0]?.kind, 'postcode');
  });

  it('finds PII inside JSON documents and suggests a json rule with the paths', () => {
    const docs = repeat(10, (i) =>
      JSON.stringify({ id: i, contact: { email: `p${i}@example.org`, phones: [`+1 555 010 ${1000 + i}`] }, plan: 'pro', password: 'x' }),
    );
    const [finding] = detectPii({ name: 'profile', type: 'jsonb', values: docs });
    assert.equal(finding?.kind, 'json_fields');
    assert.equal(finding?.confidence, 'high');
    assert.deepEqual(finding?.suggestion, {
      strategy: 'json',
      options: { paths: { '$.contact.email': 'email', '$.contact.phones[*]': 'phone', '$.password': 'redact' } },
    });
    assert.ok(!(finding?.evidence.join('\n') ?? '').includes('p1@example.org'));
  });

  it('flags free text that carries email addresses', () => {
    const values = repeat(10, (i) => (i % 3 === 0 ? `please reply to someone${i}@example.org asap` : 'nothing here'));
    assert.deepEqual(kinds(detectPii({ name: 'comment', type: 'text', values })), ['free_text']);
  });

  it('stays quiet on ordinary columns', () => {
    assert.deepEqual(detectPii({ name: 'status', type: 'text', values: ['active', 'closed', 'pending'] }), []);
    assert.deepEqual(detectPii({ name: 'amount', type: 'numeric(12,2)', values: ['12.50', '99.00'] }), []);
    assert.deepEqual(detectPii({ name: 'created_at', type: 'timestamp with time zone', values: ['2024-01-01 00:00:00+00'] }), []);
    assert.deepEqual(detectPii({ name: 'sku', type: 'text', values: ['AB-1234', 'CD-5678'] }), []);
    assert.deepEqual(detectPii({ name: 'product_name', type: 'text', values: ['Blue Widget', 'Red Gadget'] }), []);
  });

  describe('names, types and values together', () => {
    const top = (name: string, type: string, values: (string | null)[] = [], extra: { notNull?: boolean; table?: string } = {}) =>
      detectPii({ name, type, values, ...extra })[0];
    const rule = (name: string, type: string, values: (string | null)[] = [], extra: { notNull?: boolean; table?: string } = {}) =>
      top(name, type, values, extra)?.suggestion;

    it('finds companies and employers, by name and by values', () => {
      assert.equal(top('company', 'character varying(80)')?.kind, 'company');
      assert.deepEqual(rule('employer', 'text'), { strategy: 'fake', options: { kind: 'company' } });
      assert.equal(top('organisation_name', 'text')?.kind, 'company');
      assert.equal(top('vendor', 'text', ['Acme Inc.', 'Globex GmbH', 'Initech Ltd', 'Umbrella S.A.'])?.kind, 'company');
      assert.deepEqual(detectPii({ name: 'company_id', type: 'integer', values: [] }), [], 'a key to a company is not a company name');
    });

    it('finds usernames and logins, and suggests email for logins that are addresses', () => {
      assert.deepEqual(rule('username', 'text', ['Mike', 'Jon']), { strategy: 'fake', options: { kind: 'username' } });
      assert.equal(top('login', 'character varying(30)')?.kind, 'username');
      assert.equal(
        rule(
          'login',
          'text',
          repeat(5, (i) => `u${i}@corp.example`),
        )?.strategy,
        'email',
      );
      assert.deepEqual(detectPii({ name: 'last_login', type: 'timestamp with time zone', values: [] }), []);
    });

    it('finds free text that names people or carries emails and phone numbers, and leaves other free text alone', () => {
      const bios = [
        'Nancy holds a BA in psychology from Colorado State University.',
        'Andrew joined the company as a sales representative in 1992.',
        'Janet was hired as a sales associate.',
      ];
      const notes = detectPii({ name: 'notes', type: 'text', values: bios });
      assert.equal(notes[0]?.kind, 'free_text');
      assert.deepEqual(notes[0]?.suggestion, { strategy: 'lorem', options: {} });
      assert.match(notes[0]?.evidence.join('\n') ?? '', /3 of 3 sampled values name a person/);
      assert.equal(top('comments', 'text', ['call me on +44 20 7946 0958 after 5', 'ok', 'fine', 'see ticket'])?.kind, 'free_text');
      assert.deepEqual(
        detectPii({
          name: 'description',
          type: 'text',
          values: ['Soft drinks, coffees, teas, beers, and ales', 'Cheeses', 'Seaweed and fish'],
        }),
        [],
      );
      assert.deepEqual(
        detectPii({
          name: 'composer',
          type: 'text',
          values: ['Angus Young, Malcolm Young, Brian Johnson', 'Steve Harris, Bruce Dickinson', 'Lennon/McCartney'],
        }),
        [],
      );
    });

    it('finds postal codes and gives them a rule of their own shape that fits the column', () => {
      assert.deepEqual(rule('postal_code', 'character varying(10)', ['T6G 2C7', 'T2P 5G8', 'T3B 1Y7', 'T5K 2N1']), {
        strategy: 'fake',
        options: { kind: 'postcode', format: '?#? #?#' },
      });
      assert.deepEqual(rule('zip', 'character varying(5)', ['35200', '17886', '83579']), {
        strategy: 'fake',
        options: { kind: 'postcode', format: '#####' },
      });
      // Several countries' codes: each keeps its own layout.
      assert.deepEqual(rule('billing_postal_code', 'character varying(10)', ['01007-010', 'T6G 2C7', '10012-2612', '1010', 'SW1V 3EN']), {
        strategy: 'digits',
        options: {},
      });
      assert.deepEqual(rule('zip_code', 'integer'), { strategy: 'digits', options: {} });
    });

    it('finds fax numbers and phones under other names, keeping the length', () => {
      assert.deepEqual(top('fax', 'character varying(24)', ['+1 (780) 428-3457']), {
        kind: 'phone',
        confidence: 'high',
        evidence: ['column name `fax` suggests a fax number', '1 of 1 sampled values look like phone numbers'],
        suggestion: { strategy: 'phone', options: {} },
        alternatives: [{ strategy: 'digits', options: {} }],
      });
      assert.equal(top('telefono', 'character varying(10)')?.kind, 'phone');
      assert.equal(top('nachname', 'text')?.kind, 'last_name');
    });

    it('finds national and tax identifiers, IBANs and bank accounts', () => {
      for (const name of [
        'ssn',
        'sin',
        'nino',
        'national_insurance_number',
        'passport_no',
        'drivers_license_number',
        'tax_id',
        'vat_number',
        'tin',
      ]) {
        const found = top(name, 'character varying(20)');
        assert.ok(found !== undefined && ['ssn', 'national_id', 'tax_id'].includes(found.kind), name);
        assert.deepEqual(found?.suggestion, { strategy: 'digits', options: {} }, name);
      }
      assert.equal(
        top('ref', 'text', ['DE89 3704 0044 0532 0130 00', 'GB82 WEST 1234 5698 7654 32', 'FR14 2004 1010 0505 0001 3M02 606'])?.kind,
        'bank_account',
      );
      assert.equal(top('ref', 'text', ['AB123456C', 'CE 12 34 56 D', 'JG103759A'])?.kind, 'national_id');
      assert.equal(top('iban', 'text')?.kind, 'bank_account');
    });

    it('finds coordinates and keeps them numbers in range, or points a NOT NULL column accepts', () => {
      assert.deepEqual(rule('latitude', 'double precision', ['45.5', '-33.86', '64.1']), { strategy: 'number', options: { percent: 10 } });
      assert.deepEqual(
        rule('lat', 'numeric(9,6)', ['89.5', '10.1']),
        { strategy: 'null', options: {} },
        'no multiplier keeps 89.5 within ±90 and 1%',
      );
      assert.deepEqual(rule('lng', 'double precision', ['170.5']), { strategy: 'number', options: { percent: 5 } });
      assert.deepEqual(rule('location', 'point', [], { notNull: true }), { strategy: 'constant', options: { value: '(0,0)' } });
      assert.deepEqual(rule('geom', 'geometry(Point,4326)', [], { notNull: true }), {
        strategy: 'constant',
        options: { value: 'SRID=4326;POINT(0 0)' },
      });
      assert.equal(top('where_taken', 'point')?.kind, 'coordinates', 'the type alone says so');
      assert.deepEqual(detectPii({ name: 'long_description', type: 'text', values: [] }), []);
    });

    it('finds personal web addresses and license plates', () => {
      assert.equal(top('homepage', 'text')?.kind, 'url');
      assert.equal(
        top('links', 'text', ['https://twitter.com/ada', 'https://github.com/grace', 'https://example.org/@linus'])?.kind,
        'url',
      );
      assert.equal(
        detectPii({ name: 'image_url', type: 'text', values: ['https://cdn.example.com/p/1.png', 'https://cdn.example.com/p/2.png'] })
          .length,
        0,
      );
      assert.deepEqual(rule('license_plate', 'character varying(8)', ['ABC-1234', 'XYZ-9876', 'KLM-5555']), {
        strategy: 'fake',
        options: { kind: 'postcode', format: '???-####' },
      });
      assert.equal(top('kennzeichen', 'text')?.kind, 'license_plate');
    });

    it("never calls a person's name a street address, and reads a bare `name` by its table and values", () => {
      for (const name of ['contact_name', 'address_name', 'ship_name', 'recipient_name']) {
        const kinds = detectPii({ name, type: 'text', values: ['Maria Anders', 'Ana Trujillo', 'Thomas Hardy'] }).map((f) => f.kind);
        assert.equal(kinds[0], 'name', name);
        assert.ok(!kinds.includes('address'), name);
      }
      assert.equal(top('name', 'text', [], { table: 'customers' })?.kind, 'name');
      assert.deepEqual(
        detectPii({ name: 'name', type: 'character varying(120)', values: ['Rock', 'Jazz', 'Metal', 'Blues'], table: 'genre' }),
        [],
      );
      assert.equal(top('name', 'text', ['Maria Garcia', 'John Smith', 'Wei Chen'], { table: 'artist' })?.kind, 'name');
      assert.equal(top('address2', 'text')?.kind, 'address');
      assert.ok(!detectPii({ name: 'email_address', type: 'text', values: [] }).some((f) => f.kind === 'address'));
    });

    it('offers alternatives for columns where the first rule cannot work, never null on a NOT NULL column of text', () => {
      const email = top('email', 'character varying(20)');
      assert.deepEqual(email?.alternatives?.[0], { strategy: 'email', options: { domain: 'x.test' } });
      assert.deepEqual(rule('password', 'character varying(16)'), { strategy: 'hash', options: { length: 16 } });
    });
  });
});
