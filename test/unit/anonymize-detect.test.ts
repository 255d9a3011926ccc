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
    assert.deepEqual(kinds(detectPii({ name: 'c2', type: 'text', values: ['4111 1111 1111 1111', '5500-0000-0000-0004', '340000000000009'] })), ['credit_card']);
    // Same shape, failing Luhn: not cards.
    assert.ok(!kinds(detectPii({ name: 'c3', type: 'text', values: ['4111 1111 1111 1112', '5500-0000-0000-0005'] })).includes('credit_card'));
    assert.deepEqual(kinds(detectPii({ name: 'c4', type: 'text', values: ['123-45-6789', '987-65-4321'] })), ['ssn']);
    assert.deepEqual(kinds(detectPii({ name: 'c5', type: 'text', values: ['10.0.0.1', '2001:db8::1', '192.168.1.20'] })), ['ip']);
  });

  it('recognises names and street addresses', () => {
    assert.deepEqual(kinds(detectPii({ name: 'who', type: 'text', values: ['Maria Garcia', 'John Smith', 'Wei Chen', 'Priya Patel'] })), ['name']);
    assert.deepEqual(kinds(detectPii({ name: 'where', type: 'text', values: ['12 Main Street', '4 Elm Ave', '221B Baker Street'] })), ['address']);
  });

  it('uses column names for birth dates, secrets and more, suggesting rules that fit the type', () => {
    const [dob] = detectPii({ name: 'date_of_birth', type: 'date', values: ['1980-01-01'] });
    assert.equal(dob?.kind, 'birth_date');
    assert.deepEqual(dob?.suggestion, { strategy: 'date', options: { days: 180 } });
    assert.equal(detectPii({ name: 'password_hash', type: 'text', values: [] })[0]?.kind, 'secret');
    assert.deepEqual(detectPii({ name: 'phone', type: 'bigint', values: ['15550100'] })[0]?.suggestion, { strategy: 'digits', options: {} });
    assert.deepEqual(detectPii({ name: 'last_login_ip', type: 'inet', values: [] })[0]?.suggestion, { strategy: 'ip', options: {} });
    assert.equal(detectPii({ name: 'zip_code', type: 'text', values: [] })[0]?.kind, 'postcode');
  });

  it('finds PII inside JSON documents and suggests a json rule with the paths', () => {
    const docs = repeat(10, (i) => JSON.stringify({ id: i, contact: { email: `p${i}@example.org`, phones: [`+1 555 010 ${1000 + i}`] }, plan: 'pro', password: 'x' }));
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
});
