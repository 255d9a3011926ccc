import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { checkMasks, compileMasks, MaskingKey, STRATEGY_EXAMPLES } from '../../src/anonymize/index.js';
import { luhnValid } from '../../src/anonymize/strategies/digit-layout.js';
import { parseAddress } from '../../src/anonymize/strategies/network.js';

const KEY = new MaskingKey(Buffer.alloc(32, 0x5a));
const NO_ROW = { field: (): string | null => null };

/** A mask for one column of `type` under `strategy`. */
function maskFor(
  strategy: string,
  type = 'text',
  options: Record<string, unknown> = {},
  key = KEY,
): (value: string | null) => string | null {
  const mask = compileMasks(new Map([['v', { strategy, options }]]), [{ name: 'v', type }], { table: 'public.t', key }).get(0);
  assert.ok(mask);
  return (value) => mask(value, NO_ROW);
}

function layoutOf(value: string): string {
  return value.replace(/\d/g, '#');
}

describe('email', () => {
  const ADDRESS = /^[a-z][a-z2-7]{16}@[a-z0-9.-]+$/;
  it('gives a valid address at example.com, the same for the same input', () => {
    const mask = maskFor('email');
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (input) => {
        const out = mask(input) as string;
        assert.match(out, ADDRESS);
        assert.ok(out.endsWith('@example.com'));
        assert.equal(mask(input), out);
      }),
    );
  });

  it('uses the configured domain, or keeps the original one', () => {
    assert.match(maskFor('email', 'text', { domain: 'corp.test' })('a@b.org') as string, /@corp\.test$/);
    const keep = maskFor('email', 'text', { keep_domain: true });
    assert.match(keep('someone@Company.example') as string, /^[a-z2-7]{17}@Company\.example$/);
    assert.match(keep('no at sign') as string, /@example\.com$/);
  });

  it('keep_domain on varchar(n): a domain that would not fit is replaced by `domain`, which must fit', () => {
    const keep = maskFor('email', 'character varying(40)', { keep_domain: true });
    assert.match(keep('ab@short.example') as string, /^[a-z2-7]{17}@short\.example$/);
    const long = keep('ab@a-rather-long-company-domain.example') as string;
    assert.match(long, /^[a-z2-7]{17}@example\.com$/);
    // The local part still comes from the whole address: another long-domain address gets another one.
    assert.notEqual(keep('cd@a-rather-long-company-domain.example'), long);
    const problems = checkMasks(
      new Map([['v', { strategy: 'email', options: { keep_domain: true } }]]),
      [{ name: 'v', type: 'character varying(20)' }],
      { table: 't' },
    );
    assert.deepEqual(
      problems.map((p) => p.code),
      ['BAD_OPTIONS'],
    );
  });
});

describe('phone', () => {
  const mask = maskFor('phone');
  it('keeps layout, length and the country code; changes the other digits', () => {
    assert.equal(layoutOf(mask('+1-555-010-0199') as string), '+#-###-###-####');
    assert.match(mask('+1-555-010-0199') as string, /^\+1-/);
    assert.match(mask('+44 20 7946 0958') as string, /^\+44 /);
    assert.match(mask('0049 151 1234 5678') as string, /^0049 /);
    assert.match(mask('020 7946 0958') as string, /^0/);
    assert.notEqual(mask('+1-555-010-0199'), '+1-555-010-0199');
  });

  it('keeps any layout of digits and punctuation (property)', () => {
    const phoneLike = fc.stringMatching(/^\+?[0-9 ()\-.]{1,24}$/);
    fc.assert(
      fc.property(phoneLike, (input) => {
        const out = mask(input) as string;
        assert.equal(layoutOf(out), layoutOf(input));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('credit_card', () => {
  const validCard = fc
    .tuple(fc.integer({ min: 12, max: 18 }), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 18, maxLength: 18 }))
    .map(([length, digits]) => {
      const body = digits.slice(0, length).join('');
      for (let check = 0; check <= 9; check++) if (luhnValid(body + check)) return body + check;
      throw new Error('unreachable');
    });

  it('gives Luhn-valid numbers of the same length and layout', () => {
    const mask = maskFor('credit_card');
    fc.assert(
      fc.property(validCard, fc.constantFrom('', ' ', '-'), (card, sep) => {
        const input = sep === '' ? card : card.replace(/(\d{4})(?=\d)/g, `$1${sep}`);
        const out = mask(input) as string;
        assert.equal(layoutOf(out), layoutOf(input));
        assert.ok(luhnValid(out.replace(/\D/g, '')), out);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps the last 4 and the first digits when asked, still Luhn-valid', () => {
    const mask = maskFor('credit_card', 'text', { keep_last4: true, keep_first: 1 });
    fc.assert(
      fc.property(validCard, (card) => {
        const out = mask(card) as string;
        assert.equal(out.length, card.length);
        assert.equal(out.slice(-4), card.slice(-4));
        assert.equal(out[0], card[0]);
        assert.ok(luhnValid(out));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('digits', () => {
  it('keeps the layout of SSN-like text', () => {
    const mask = maskFor('digits');
    assert.equal(layoutOf(mask('123-45-6789') as string), '###-##-####');
    assert.equal(maskFor('digits', 'text', { keep_last: 4 })('123-45-6789')?.slice(-4), '6789');
  });

  it('keeps integers integers: same digit count, sign, no leading zero, inside the type', () => {
    for (const [type, max] of [
      ['smallint', 32767n],
      ['integer', 2147483647n],
      ['bigint', 9223372036854775807n],
    ] as const) {
      const mask = maskFor('digits', type);
      fc.assert(
        fc.property(fc.bigInt({ min: -max - 1n, max }), (n) => {
          const out = mask(n.toString()) as string;
          const value = BigInt(out);
          assert.ok(value >= -max - 1n && value <= max, `${type}: ${out}`);
          assert.equal(out.replace('-', '').length, n.toString().replace('-', '').length);
          assert.equal(out.startsWith('-'), n < 0n);
          assert.match(out, /^-?(?:0|[1-9]\d*)$/);
        }),
        { numRuns: 1000 },
      );
    }
  });
});

describe('ip', () => {
  const v4 = fc.ipV4();
  const v6 = fc.ipV6();
  it('keeps the family and the /prefix text', () => {
    const mask = maskFor('ip', 'inet');
    fc.assert(
      fc.property(fc.oneof(v4, v6), fc.option(fc.integer({ min: 0, max: 32 })), (address, prefix) => {
        const input = prefix === null ? address : `${address}/${prefix}`;
        const out = mask(input) as string;
        const parsed = parseAddress(out);
        assert.ok(parsed, out);
        assert.equal(parsed.v6, address.includes(':'));
        assert.equal(parsed.prefix, prefix ?? undefined);
      }),
      { numRuns: 2000 },
    );
  });

  it('on cidr keeps host bits zero and the kept prefix bits', () => {
    const mask = maskFor('ip', 'cidr', { keep_prefix: 8, keep_prefix_v6: 16 });
    for (let i = 0; i < 500; i++) {
      const input = `10.${i % 256}.${(i * 7) % 256}.0/24`;
      const out = mask(input) as string;
      assert.match(out, /^10\.\d+\.\d+\.0\/24$/);
    }
    assert.match(mask('2001:db8:abcd::/48') as string, /^2001:[0-9a-f]{1,4}:[0-9a-f]{1,4}::\/48$/);
  });
});

/** Days between two ISO dates (years 1-9999), using Date only to check. */
function dayDiff(a: string, b: string): number {
  const day = (s: string): number => Date.UTC(Number(s.slice(0, 4)), Number(s.slice(5, 7)) - 1, Number(s.slice(8, 10))) / 86400000;
  return day(b) - day(a);
}

function validDate(s: string): boolean {
  const [y, m, d] = [Number(s.slice(0, 4)), Number(s.slice(5, 7)), Number(s.slice(8, 10))];
  const date = new Date(Date.UTC(2000, m - 1, d));
  date.setUTCFullYear(y);
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

describe('date and timestamp', () => {
  const isoDate = fc
    .date({ min: new Date('0100-01-01T00:00:00Z'), max: new Date('9900-12-31T00:00:00Z'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10));

  it('date shifts by a nonzero number of days within ±days, giving valid dates', () => {
    const mask = maskFor('date', 'date', { days: 45 });
    fc.assert(
      fc.property(isoDate, (input) => {
        const out = mask(input) as string;
        assert.ok(validDate(out), out);
        const diff = dayDiff(input, out);
        assert.ok(diff !== 0 && Math.abs(diff) <= 45, `${input} -> ${out}`);
      }),
      { numRuns: 3000 },
    );
  });

  it('handles leap days, infinities and BC', () => {
    const mask = maskFor('date', 'date', { days: 1 });
    for (const leap of ['2024-02-29', '2000-02-29', '1600-02-29']) assert.ok([-1, 1].includes(dayDiff(leap, mask(leap) as string)));
    assert.equal(mask('infinity'), 'infinity');
    assert.equal(mask('-infinity'), '-infinity');
    assert.match(mask('0044-03-15 BC') as string, /^0044-03-1[46] BC$/);
    assert.match(maskFor('date', 'date', { days: 400 })('0001-01-01') as string, /^\d{4}-\d{2}-\d{2}( BC)?$/);
  });

  it('timestamp keeps fraction and zone text, moves within ±days', () => {
    const mask = maskFor('timestamp', 'timestamp with time zone', { days: 2 });
    const input = '2024-02-29 23:59:59.999999+05:30';
    const out = mask(input) as string;
    assert.match(out, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.999999\+05:30$/);
    const seconds = (Date.parse(out.replace(' ', 'T')) - Date.parse(input.replace(' ', 'T'))) / 1000;
    assert.ok(seconds !== 0 && Math.abs(seconds) <= 2 * 86400);
    assert.equal(mask('infinity'), 'infinity');
    assert.match(mask('0044-03-15 12:00:00+00 BC') as string, / BC$/);
  });

  it('stays inside the range of the column type at its first and last day', () => {
    // Ten keys, so that both shift directions come up at each end.
    for (let k = 1; k <= 10; k++) {
      const key = new MaskingKey(Buffer.alloc(32, k));
      const onDate = maskFor('date', 'date', {}, key);
      assert.match(onDate('5874897-12-31') as string, /^5874897-12-\d{2}$/);
      const first = onDate('4714-11-24 BC') as string;
      assert.match(first, /^4714-1[12]-\d{2} BC$/);
      assert.ok(first.slice(5, 10) > '11-24', first);
      const onTimestamp = maskFor('timestamp', 'timestamp with time zone', { days: 1 }, key);
      assert.match(onTimestamp('294276-12-31 23:59:59.999999+00') as string, /^294276-12-3[01] \d{2}:\d{2}:\d{2}\.999999\+00$/);
      const early = onTimestamp('4714-11-24 00:00:00+00 BC') as string;
      assert.match(early, /^4714-11-2[45] \d{2}:\d{2}:\d{2}\+00 BC$/);
      assert.notEqual(early, '4714-11-24 00:00:00+00 BC');
      const onTimestampDays = maskFor('date', 'timestamp without time zone', { days: 3650 }, key);
      assert.match(onTimestampDays('294276-12-31 12:00:00') as string, /^294(26[6-9]|27[0-6])-\d{2}-\d{2} 12:00:00$/);
    }
  });

  it('rejects non-ISO text with an error that does not quote it', () => {
    assert.throws(
      () => maskFor('date', 'date')('15/03/2024'),
      (err: Error) => !err.message.includes('15/03/2024') && /DateStyle ISO/.test(String((err as { details?: unknown }).details)),
    );
  });
});

describe('number', () => {
  it('stays within ±percent, keeps decimal places, integers stay integers', () => {
    const mask = maskFor('number', 'numeric(14,2)', { percent: 10 });
    fc.assert(
      fc.property(fc.integer({ min: -99999999999, max: 99999999999 }), (cents) => {
        const input = (cents / 100).toFixed(2);
        const out = mask(input) as string;
        assert.match(out, /^-?\d+\.\d{2}$/);
        const ratio = Number(out) / Number(input);
        if (Math.abs(Number(input)) >= 10) assert.ok(ratio >= 0.899 && ratio <= 1.101, `${input} -> ${out}`);
      }),
      { numRuns: 3000 },
    );
    assert.match(maskFor('number', 'integer')('123456') as string, /^\d+$/);
  });

  it('never leaves the column type and keeps precision beyond doubles', () => {
    assert.ok(BigInt(maskFor('number', 'bigint', { percent: 100 })('9223372036854775807') as string) <= 9223372036854775807n);
    assert.match(maskFor('number', 'numeric')('12345678901234.123456') as string, /^\d{14}\.\d{6}$/);
    assert.match(maskFor('number', 'numeric(5,2)', { percent: 100 })('999.99') as string, /^\d{1,3}\.\d{2}$/);
    for (const special of ['NaN', 'Infinity', '-Infinity']) assert.equal(maskFor('number', 'double precision')(special), special);
    assert.match(maskFor('number', 'real')('1.5e+10') as string, /^\d\.\de\+10$/);
  });
});

describe('uuid', () => {
  const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  it('gives valid v4 UUIDs for UUIDs of any version and for other text', () => {
    const mask = maskFor('uuid', 'uuid');
    fc.assert(
      fc.property(fc.uuid(), (input) => assert.match(mask(input) as string, V4)),
      { numRuns: 2000 },
    );
    assert.match(maskFor('uuid', 'text')('not a uuid') as string, V4);
    assert.equal(mask('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'), mask('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'));
  });

  it('is refused at plan time on a text column too short for 36 characters', () => {
    const problems = (type: string): string[] =>
      checkMasks(new Map([['v', { strategy: 'uuid', options: {} }]]), [{ name: 'v', type }], { table: 't' }).map((p) => p.message);
    assert.equal(problems('character(32)').length, 1);
    assert.match(problems('character(32)')[0] ?? '', /36 characters/);
    assert.deepEqual(problems('character varying(36)'), []);
    assert.deepEqual(problems('uuid'), []);
  });
});

describe('hash', () => {
  it('gives lowercase hex of the configured length', () => {
    for (const length of [1, 8, 16, 31, 32, 33, 64, 100])
      assert.match(maskFor('hash', 'text', { length })('x') as string, new RegExp(`^[0-9a-f]{${length}}$`));
    // Options separate PRF domains, so a longer hash does not reveal a shorter one.
    assert.ok(!(maskFor('hash', 'text', { length: 64 })('x') as string).startsWith(maskFor('hash', 'text', { length: 32 })('x') as string));
  });
});

describe('json', () => {
  const mask = maskFor('json', 'jsonb', {
    paths: { '$.email': 'email', '$.contact.phone': 'phone', '$.items[*].name': 'name', '$.n': 'number' },
  });
  it('masks the named paths and copies everything else byte for byte', () => {
    const input =
      '{"email": "a@b.org", "contact": {"phone": "+1 555 0100", "note": "hi"}, "items": [{"name": "Ada"}, {"name": "Bob", "x": 1}], "n": 1000, "big": 123456789012345678901234567890, "email2": "a@b.org"}';
    const out = mask(input) as string;
    const parsed = JSON.parse(out) as Record<string, unknown>;
    assert.match(parsed['email'] as string, /@example\.com$/);
    assert.equal((parsed['contact'] as Record<string, unknown>)['note'], 'hi');
    assert.match(out, /"big": 123456789012345678901234567890, "email2": "a@b\.org"}$/);
    assert.equal(typeof parsed['n'], 'number');
    assert.notEqual((parsed['items'] as { name: string }[])[0]?.name, 'Ada');
  });

  it('gives an email inside JSON the same mask as in a column', () => {
    const out = JSON.parse(mask('{"email": "a@b.org"}') as string) as { email: string };
    assert.equal(out.email, maskFor('email')('a@b.org'));
  });

  it('keeps JSON null and documents without the paths as they are', () => {
    for (const doc of ['{"email": null}', '[]', '"text"', '{"other": {"email": "x@y.z"}}']) assert.equal(mask(doc), doc);
  });

  it('refuses invalid JSON', () => {
    assert.throws(
      () => mask('{"email": '),
      (err: { code?: string; details?: readonly string[] }) => {
        assert.equal(err.code, 'ANONYMIZATION_FAILED');
        assert.match(String(err.details), /not valid JSON/);
        return true;
      },
    );
  });
});

describe('text strategies', () => {
  it('redact, constant, partial, regex, lorem', () => {
    assert.equal(maskFor('redact')('secret'), '[REDACTED]');
    assert.equal(maskFor('redact', 'text', { text: '***' })('secret'), '***');
    assert.equal(maskFor('constant', 'integer', { value: 0 })('42'), '0');
    assert.equal(maskFor('partial')('4111111111111111'), '************1111');
    assert.equal(maskFor('partial', 'text', { keep_first: 1, keep_last: 1 })('ab'), '**');
    assert.equal(maskFor('regex', 'text', { pattern: '\\d', replacement: '#' })('a1b22'), 'a#b##');
    const lorem = maskFor('lorem');
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (input) => {
        const out = lorem(input) as string;
        assert.equal(Array.from(out).length, Array.from(input).length);
        assert.ok(!out.endsWith(' '));
      }),
    );
  });

  it('names and fake values come from the lists and fit varchar(n)', () => {
    assert.match(maskFor('name')('Ada Lovelace') as string, /^\S+ \S.*$/);
    assert.ok((maskFor('first_name', 'character varying(4)')('Ada') as string).length <= 4);
    assert.match(maskFor('fake', 'text', { kind: 'postcode', format: '?? ###' })('x') as string, /^[A-Z]{2} \d{3}$/);
    assert.match(maskFor('fake', 'text', { kind: 'username' })('x') as string, /^[a-z]+\d+$/);
    assert.equal(maskFor('first_name')('Ada'), maskFor('fake', 'text', { kind: 'first_name' })('Ada'));
  });
});

describe('every built-in example', () => {
  it('masks its sample inputs deterministically, NULL to NULL (null strategy aside)', () => {
    for (const example of STRATEGY_EXAMPLES) {
      const rowColumns = Object.keys(example.row ?? {});
      const columns = [{ name: 'v', type: example.type }, ...rowColumns.map((name) => ({ name, type: 'text' }))];
      const mask = compileMasks(new Map([['v', { strategy: example.strategy, options: example.options }]]), columns, {
        table: 't',
        key: KEY,
      }).get(0);
      assert.ok(mask);
      for (const input of example.sampleInputs) {
        const view = { field: (i: number): string | null => (i === 0 ? input : (example.row?.[rowColumns[i - 1] as string] ?? null)) };
        const out = mask(input, view);
        assert.equal(mask(input, view), out, `${example.strategy} is deterministic`);
        if (example.strategy !== 'null') assert.equal(typeof out, 'string', `${example.strategy} on ${input}`);
      }
      assert.equal(mask(null, NO_ROW), null, `${example.strategy} keeps NULL`);
    }
  });
});
