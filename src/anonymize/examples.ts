/**
 * One or more examples per built-in strategy: the options, a PostgreSQL column
 * type it fits, and inputs in that type's text form (edge cases included:
 * leap days, BC dates, infinities, extreme integers, IPv6, nested JSON). The
 * integration suite inserts each strategy's outputs into a real column of the
 * type, and docs can render the table. `row` gives other columns for
 * strategies that read them (template).
 */
import type { StrategyOptions } from './strategy-types.js';

export interface StrategyExample {
  readonly strategy: string;
  readonly options: StrategyOptions;
  readonly type: string;
  readonly sampleInputs: readonly string[];
  readonly row?: Readonly<Record<string, string | null>>;
}

const EMAILS = ['alice@example.org', 'Bob.Smith+tag@Corp.COM', 'x@y.z', 'josé.müller@bücher.de', 'not-an-email'];
const PHONES = [
  '+1-555-010-0199',
  '+44 20 7946 0958',
  '(555) 123-4567',
  '020 7946 0958',
  '+4915112345678',
  '0049 151 1234 5678',
  '555-0100 ext. 12',
  '7',
];
const CARDS = ['4111 1111 1111 1111', '5500-0000-0000-0004', '340000000000009', '6011000000000004', '4222222222222'];
const TIMESTAMPS = [
  '2024-02-29 23:59:59.999999',
  '2023-12-31 00:00:00',
  '1999-01-01 12:00:00.5',
  'infinity',
  '-infinity',
  '0044-03-15 12:00:00 BC',
];
const TIMESTAMPTZ = [
  '2024-02-29 23:59:59.999999+00',
  '2024-06-30 23:59:59.999999+02',
  '2023-03-26 02:30:00+05:30',
  '1900-01-01 00:00:00-03:30',
  'infinity',
  '0001-01-01 00:00:00+00 BC',
];
const DATES = ['2024-02-29', '2000-02-29', '1900-03-01', '0001-01-01', '0044-03-15 BC', 'infinity', '-infinity'];

export const STRATEGY_EXAMPLES: readonly StrategyExample[] = [
  { strategy: 'email', options: {}, type: 'text', sampleInputs: EMAILS },
  { strategy: 'email', options: { domain: 'corp.test' }, type: 'character varying(64)', sampleInputs: EMAILS },
  { strategy: 'email', options: { keep_domain: true }, type: 'text', sampleInputs: EMAILS },
  { strategy: 'phone', options: {}, type: 'text', sampleInputs: PHONES },
  { strategy: 'phone', options: {}, type: 'character varying(20)', sampleInputs: PHONES },
  { strategy: 'name', options: {}, type: 'character varying(40)', sampleInputs: ['Ada Lovelace', 'Zoë Ünal', ''] },
  { strategy: 'full_name', options: {}, type: 'text', sampleInputs: ['Grace Hopper'] },
  { strategy: 'first_name', options: {}, type: 'character varying(10)', sampleInputs: ['Ada', 'Maximilian'] },
  { strategy: 'last_name', options: {}, type: 'text', sampleInputs: ['Lovelace', "O'Neil"] },
  ...(['name', 'first_name', 'last_name', 'company', 'city', 'country', 'street_address', 'postcode', 'username'] as const).map(
    (kind): StrategyExample => ({
      strategy: 'fake',
      options: { kind },
      type: 'character varying(30)',
      sampleInputs: ['a value', 'another'],
    }),
  ),
  { strategy: 'fake', options: { kind: 'postcode', format: '?? ### ??' }, type: 'text', sampleInputs: ['SW1A 1AA'] },
  { strategy: 'redact', options: {}, type: 'text', sampleInputs: ['secret', ''] },
  { strategy: 'redact', options: { text: 'xxx' }, type: 'character(3)', sampleInputs: ['abc'] },
  { strategy: 'hash', options: {}, type: 'text', sampleInputs: ['token-1', 'token-2', ''] },
  { strategy: 'hash', options: { length: 12 }, type: 'character varying(12)', sampleInputs: ['token-1'] },
  { strategy: 'hash', options: { length: 64 }, type: 'text', sampleInputs: ['token-1'] },
  { strategy: 'null', options: {}, type: 'text', sampleInputs: ['anything'] },
  { strategy: 'null', options: {}, type: 'timestamp with time zone', sampleInputs: ['2024-01-01 00:00:00+00'] },
  { strategy: 'credit_card', options: {}, type: 'text', sampleInputs: CARDS },
  { strategy: 'credit_card', options: { keep_last4: true, keep_first: 1 }, type: 'character varying(19)', sampleInputs: CARDS },
  { strategy: 'digits', options: {}, type: 'text', sampleInputs: ['123-45-6789', 'AB 12 34 56 C', '0000'] },
  { strategy: 'digits', options: { keep_last: 4 }, type: 'text', sampleInputs: ['123-45-6789'] },
  { strategy: 'digits', options: {}, type: 'bigint', sampleInputs: ['9223372036854775807', '-9223372036854775808', '0', '42', '-7'] },
  { strategy: 'digits', options: {}, type: 'smallint', sampleInputs: ['32767', '-32768', '30000', '9'] },
  { strategy: 'digits', options: {}, type: 'integer', sampleInputs: ['2147483647', '-2147483648', '1000000000'] },
  { strategy: 'partial', options: {}, type: 'text', sampleInputs: ['4111111111111111', 'abc', 'naïve café'] },
  {
    strategy: 'partial',
    options: { keep_first: 2, keep_last: 2, mask_char: '#' },
    type: 'character varying(20)',
    sampleInputs: ['abcdefgh'],
  },
  {
    strategy: 'regex',
    options: { pattern: '\\d{3}-\\d{2}-\\d{4}', replacement: 'XXX-XX-XXXX' },
    type: 'text',
    sampleInputs: ['SSN 123-45-6789 on file'],
  },
  {
    strategy: 'ip',
    options: {},
    type: 'inet',
    sampleInputs: ['192.168.0.1', '192.168.0.1/24', '::1', '2001:db8::1/64', '::ffff:10.1.2.3', '0.0.0.0'],
  },
  {
    strategy: 'ip',
    options: { keep_prefix: 8, keep_prefix_v6: 32 },
    type: 'cidr',
    sampleInputs: ['10.0.0.0/8', '10.1.0.0/16', '192.168.1.0/24', '2001:db8::/32', '2001:db8:1234::/48', '1.2.3.4/32'],
  },
  { strategy: 'ip', options: {}, type: 'text', sampleInputs: ['203.0.113.9'] },
  { strategy: 'date', options: {}, type: 'date', sampleInputs: DATES },
  { strategy: 'date', options: { days: 3650 }, type: 'timestamp with time zone', sampleInputs: TIMESTAMPTZ },
  { strategy: 'timestamp', options: {}, type: 'timestamp without time zone', sampleInputs: TIMESTAMPS },
  {
    strategy: 'timestamp',
    options: { days: 1 },
    type: 'timestamp(0) with time zone',
    sampleInputs: ['2024-02-29 00:00:00+00', '2024-03-01 00:00:00+01'],
  },
  { strategy: 'timestamp', options: {}, type: 'timestamp with time zone', sampleInputs: TIMESTAMPTZ },
  { strategy: 'timestamp', options: {}, type: 'date', sampleInputs: DATES },
  { strategy: 'number', options: {}, type: 'integer', sampleInputs: ['2147483647', '-2147483648', '0', '100', '-5'] },
  { strategy: 'number', options: { percent: 50 }, type: 'smallint', sampleInputs: ['32767', '-32768', '1000'] },
  { strategy: 'number', options: {}, type: 'bigint', sampleInputs: ['9223372036854775807', '-9223372036854775808', '123456789012345678'] },
  { strategy: 'number', options: {}, type: 'numeric(12,2)', sampleInputs: ['9999999999.99', '-0.01', '1234.50', '0.00'] },
  { strategy: 'number', options: {}, type: 'numeric', sampleInputs: ['12345678901234.123456', 'NaN', 'Infinity', '-0.000001', '1e-5'] },
  {
    strategy: 'number',
    options: {},
    type: 'real',
    sampleInputs: ['1.5e+10', 'NaN', 'Infinity', '-Infinity', '3.14159', '-0', '3.4028235e+38', '1e-45', '-1.1754944e-38'],
  },
  {
    strategy: 'number',
    options: { percent: 50 },
    type: 'double precision',
    sampleInputs: ['1.7976931348623157e+308', '-1.7976931348623157e+308', '5e-324', '4.9e-324', '0.1', '-42'],
  },
  {
    strategy: 'uuid',
    options: {},
    type: 'uuid',
    sampleInputs: ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '00000000-0000-0000-0000-000000000000', '017f22e2-79b0-7cc3-98c4-dc0c0c07398f'],
  },
  { strategy: 'uuid', options: {}, type: 'text', sampleInputs: ['{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}', 'not a uuid'] },
  {
    strategy: 'json',
    options: { paths: { '$.email': 'email', '$.contact.phone': { strategy: 'phone' }, '$.tags[*]': 'redact', '$.age': 'number' } },
    type: 'jsonb',
    sampleInputs: [
      '{"email": "a@b.c", "contact": {"phone": "+1 555 0100"}, "tags": ["x", "y"], "age": 42, "big": 12345678901234567890}',
      '{}',
      '[]',
      'null',
      '{"email": null}',
    ],
  },
  { strategy: 'json', options: { paths: { '$.name': 'name' } }, type: 'json', sampleInputs: ['{ "name" : "Ada",  "keep": [1, 2.50] }'] },
  { strategy: 'lorem', options: {}, type: 'character varying(20)', sampleInputs: ['Some private notes!', 'x', 'Ünïcödé text'] },
  {
    strategy: 'template',
    options: { template: 'user{{id}}@test.local' },
    type: 'text',
    sampleInputs: ['alice@example.org'],
    row: { id: '42' },
  },
  { strategy: 'constant', options: { value: '0' }, type: 'integer', sampleInputs: ['12345'] },
  { strategy: 'constant', options: { value: '2000-01-01' }, type: 'date', sampleInputs: ['1985-06-15'] },
  { strategy: 'keep', options: {}, type: 'boolean', sampleInputs: ['t', 'f'] },
];
