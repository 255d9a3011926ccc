/**
 * Cost per masked value of every built-in strategy, next to the raw keyed PRF
 * (SipHash-2-4 in JavaScript) and an HMAC-SHA-256-per-value baseline measured
 * in the same run, on realistic values.
 *
 *   npm run bench:mask [-- values]        (default 1,000,000 values per row)
 *
 * Values are flat strings decoded from one buffer, as the COPY transform hands
 * them over; each figure is the best of three timed passes after a warm-up, and
 * includes the engine's wrapper (NULL check, error guard) around the strategy.
 */
import { createHmac } from 'node:crypto';

import { compileMasks, MaskingKey } from '../src/anonymize/index.js';
import { Prf } from '../src/anonymize/prf.js';
import { luhnCheckDigit } from '../src/anonymize/strategies/digit-layout.js';
import { prng } from './support/prng.js';

const COUNT = Number(process.argv[2] ?? 1_000_000);
const RUNS = 3;
const key = new MaskingKey(Buffer.alloc(32, 0x42));

const random = prng(7);
const int = (n: number): number => Math.floor(random() * n);
const digits = (n: number): string => Array.from({ length: n }, () => String(int(10))).join('');
const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
const FIRST = ['john', 'maria', 'wei', 'amélie', 'olusegun', 'sven', 'priya', 'josé', 'yuki', 'fatima'];
const LAST = ['smith', 'garcia', 'chen', 'dubois', 'adeyemi', 'larsson', 'patel', 'müller', 'sato', 'haddad'];
const WORDS = ['loves', 'hiking', 'coffee', 'and', 'databases', 'café', 'music', 'runs', 'marathons', 'writes', 'code'];

/** `count` values from `make`, as flat strings decoded from one buffer (like COPY fields). */
function values(make: (i: number) => string): string[] {
  const parts: string[] = [];
  const ends: number[] = [];
  let length = 0;
  for (let i = 0; i < COUNT; i++) {
    const value = make(i);
    parts.push(value);
    length += Buffer.byteLength(value);
    ends.push(length);
  }
  const buffer = Buffer.from(parts.join(''), 'utf8');
  return ends.map((end, i) => buffer.toString('utf8', i === 0 ? 0 : (ends[i - 1] as number), end));
}

interface Case {
  readonly label: string;
  readonly strategy: string;
  readonly type: string;
  readonly options?: Record<string, unknown>;
  readonly make: (i: number) => string;
}

const emailOf = (i: number): string => `${pick(FIRST)}.${pick(LAST)}${i}@example.com`;

const CASES: readonly Case[] = [
  { label: 'email', strategy: 'email', type: 'text', make: emailOf },
  { label: 'email keep_domain', strategy: 'email', type: 'text', options: { keep_domain: true }, make: emailOf },
  { label: 'phone', strategy: 'phone', type: 'text', make: () => `+1-${digits(3)}-${digits(3)}-${digits(4)}` },
  { label: 'name', strategy: 'name', type: 'text', make: () => `${pick(FIRST)} ${pick(LAST)}` },
  { label: 'first_name', strategy: 'first_name', type: 'text', make: () => pick(FIRST) },
  {
    label: 'fake street_address',
    strategy: 'fake',
    type: 'text',
    options: { kind: 'street_address' },
    make: (i) => `${i % 999} Main Street`,
  },
  { label: 'redact', strategy: 'redact', type: 'text', make: () => digits(9) },
  { label: 'hash (32 hex)', strategy: 'hash', type: 'text', make: (i) => `token-${i}-${digits(8)}` },
  { label: 'hash (64 hex)', strategy: 'hash', type: 'text', options: { length: 64 }, make: (i) => `token-${i}-${digits(8)}` },
  { label: 'null', strategy: 'null', type: 'text', make: () => digits(6) },
  {
    label: 'credit_card',
    strategy: 'credit_card',
    type: 'text',
    make: () => {
      const body = `4${digits(14)}`;
      return `${body}${luhnCheckDigit(body)}`.replace(/(\d{4})(?=\d)/g, '$1 ');
    },
  },
  { label: 'digits (SSN)', strategy: 'digits', type: 'text', make: () => `${digits(3)}-${digits(2)}-${digits(4)}` },
  { label: 'digits (bigint)', strategy: 'digits', type: 'bigint', make: () => String(1 + int(1e12)) },
  { label: 'partial', strategy: 'partial', type: 'text', make: () => digits(16) },
  {
    label: 'regex',
    strategy: 'regex',
    type: 'text',
    options: { pattern: '\\d{3}-\\d{2}-\\d{4}' },
    make: () => `ssn ${digits(3)}-${digits(2)}-${digits(4)} on file`,
  },
  { label: 'ip v4', strategy: 'ip', type: 'inet', make: () => `${int(256)}.${int(256)}.${int(256)}.${int(256)}` },
  { label: 'ip v6', strategy: 'ip', type: 'inet', make: () => `2001:db8:${int(65536).toString(16)}::${int(65536).toString(16)}` },
  { label: 'date', strategy: 'date', type: 'date', make: () => `19${50 + int(50)}-0${1 + int(9)}-1${int(9)}` },
  {
    label: 'timestamp (tz)',
    strategy: 'timestamp',
    type: 'timestamp with time zone',
    make: () => `2023-0${1 + int(9)}-1${int(9)} 1${int(9)}:3${int(9)}:2${int(9)}.${digits(6)}+00`,
  },
  { label: 'number numeric(12,2)', strategy: 'number', type: 'numeric(12,2)', make: () => `${int(100000)}.${digits(2)}` },
  { label: 'number integer', strategy: 'number', type: 'integer', make: () => String(int(1e6)) },
  { label: 'uuid', strategy: 'uuid', type: 'uuid', make: () => `${digits(8)}-${digits(4)}-4${digits(3)}-a${digits(3)}-${digits(12)}` },
  {
    label: 'json (2 paths)',
    strategy: 'json',
    type: 'jsonb',
    options: { paths: { '$.email': 'email', '$.contact.phone': 'phone' } },
    make: (i) =>
      `{"email": "${emailOf(i)}", "plan": "pro", "contact": {"phone": "+1 555 ${digits(4)}", "city": "Springfield"}, "score": ${int(100)}}`,
  },
  { label: 'lorem', strategy: 'lorem', type: 'text', make: () => Array.from({ length: 3 + int(8) }, () => pick(WORDS)).join(' ') },
  { label: 'template', strategy: 'template', type: 'text', options: { template: 'user{{id}}@test.local' }, make: (i) => String(i) },
  { label: 'constant', strategy: 'constant', type: 'text', options: { value: 'x' }, make: () => digits(4) },
  { label: 'keep', strategy: 'keep', type: 'text', make: () => digits(4) },
];

/** Best-of-RUNS nanoseconds per value of `fn` over `inputs`, after a warm-up. */
function measure(inputs: readonly string[], fn: (value: string) => unknown): number {
  let sink = 0;
  const warm = Math.min(inputs.length, 50_000);
  for (let i = 0; i < warm; i++) if (fn(inputs[i] as string) === undefined) sink++;
  let best = Infinity;
  for (let run = 0; run < RUNS; run++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < inputs.length; i++) if (fn(inputs[i] as string) === undefined) sink++;
    best = Math.min(best, Number(process.hrtime.bigint() - start) / inputs.length);
  }
  if (sink < 0) console.log(sink);
  return best;
}

function main(): void {
  console.log(`pgtwin masking cost, ${COUNT.toLocaleString('en')} values per row, Node ${process.version}`);
  const emails = values(emailOf);
  const prf = new Prf(key, 'bench');
  const hmacKey = Buffer.alloc(32, 0x42);
  const prf64 = (v: string): number | undefined => {
    prf.hash64(v);
    return prf.out[0];
  };
  const prf128 = (v: string): number | undefined => {
    prf.hash128(v);
    return prf.out[0];
  };
  // Twice each: the first pass also pays for the process warming up.
  const siphash = Math.min(measure(emails, prf64), measure(emails, prf64));
  const siphash128 = Math.min(measure(emails, prf128), measure(emails, prf128));
  // HMAC is ~20× slower: time it on a slice to keep the run short.
  const hmac = measure(emails.slice(0, Math.min(COUNT, 200_000)), (v) => createHmac('sha256', hmacKey).update(v).digest()[0]);

  const rows: [string, number][] = [
    ['PRF: SipHash-2-4 64-bit (email text)', siphash],
    ['PRF: SipHash-2-4 128-bit (email text)', siphash128],
    ['baseline: HMAC-SHA-256 per value', hmac],
  ];
  for (const c of CASES) {
    const columns = [
      { name: 'v', type: c.type },
      { name: 'id', type: 'bigint' },
    ];
    const mask = compileMasks(new Map([['v', { strategy: c.strategy, options: c.options ?? {} }]]), columns, { table: 'bench', key }).get(
      0,
    );
    if (mask === undefined) throw new Error(`no mask for ${c.label}`);
    const inputs = values(c.make);
    let current = '';
    const row = { field: (i: number): string | null => (i === 0 ? current : '42') };
    rows.push([c.label, measure(inputs, (v) => mask((current = v), row))]);
  }

  const width = Math.max(...rows.map(([label]) => label.length));
  console.log(`\n${'case'.padEnd(width)}  ns/value  × SipHash  ÷ HMAC`);
  console.log(`${'-'.repeat(width)}  --------  ---------  ------`);
  for (const [label, ns] of rows) {
    console.log(
      `${label.padEnd(width)}  ${ns.toFixed(0).padStart(8)}  ${(ns / siphash).toFixed(2).padStart(9)}  ${(hmac / ns).toFixed(1).padStart(6)}`,
    );
  }
  console.log('\n× SipHash: cost relative to the raw 64-bit PRF; ÷ HMAC: how many times cheaper than one HMAC-SHA-256 per value.');
}

main();
