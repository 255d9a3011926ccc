import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { byteMaskOf, DECLINED, utf8Kind, Utf8Kind, withByteMask, type ByteMask } from '../../src/anonymize/byte-mask.js';
import { compileMasks, MaskingKey } from '../../src/anonymize/index.js';
import { FIRST_NAMES, LAST_NAMES } from '../../src/anonymize/strategies/data/names.js';
import { CITIES } from '../../src/anonymize/strategies/data/places.js';
import { encodeField } from '../../src/pg/copy-text.js';
import type { ColumnMask } from '../../src/anonymize/strategy-types.js';
import { RowMasker } from '../../src/mask/row-masker.js';

const KEY = new MaskingKey(Buffer.alloc(32, 0x21));

type Options = Record<string, unknown>;

function compiled(strategy: string, options: Options = {}, type = 'text'): ColumnMask {
  const mask = compileMasks(
    new Map([['v', { strategy, options }]]),
    [
      { name: 'a', type: 'text' },
      { name: 'v', type },
      { name: 'b', type: 'text' },
    ],
    { table: 'public.t', key: KEY },
  ).get(1);
  assert.ok(mask);
  return mask;
}

/** The same mask twice: string path only, and with its byte path counted. */
function bothPaths(strategy: string, options: Options = {}, type = 'text'): { slow: ColumnMask; fast: ColumnMask; taken: () => number } {
  const mask = compiled(strategy, options, type);
  const bytes = byteMaskOf(mask);
  assert.ok(bytes, `${strategy} has a byte path`);
  let taken = 0;
  const counted: ByteMask = (src, start, end, ascii) => {
    const n = bytes(src, start, end, ascii);
    if (n !== DECLINED) taken++;
    return n;
  };
  const slow: ColumnMask = (value, row) => mask(value, row);
  return {
    slow,
    fast: withByteMask((value: string | null, row: Parameters<ColumnMask>[1]) => mask(value, row), counted),
    taken: () => taken,
  };
}

function maskAll(mask: ColumnMask, input: Buffer): Buffer {
  const masker = new RowMasker(3, new Map([[1, mask]]));
  masker.begin(input.length);
  masker.maskRows(input, 0, input.length);
  return Buffer.from(masker.take());
}

function rowsOf(values: readonly (string | null)[]): Buffer {
  return Buffer.from(values.map((v, i) => `k${i}\t${encodeField(v)}\ttail\n`).join(''), 'utf8');
}

/** Asserts both paths write the same bytes for these values, and returns how often the byte path answered. */
function assertSame(strategy: string, values: readonly (string | null)[], options: Options = {}, type = 'text'): number {
  const { slow, fast, taken } = bothPaths(strategy, options, type);
  const input = rowsOf(values);
  const expected = maskAll(slow, input);
  const actual = maskAll(fast, input);
  if (!actual.equals(expected)) {
    const e = expected.toString('utf8').split('\n');
    const a = actual.toString('utf8').split('\n');
    const i = e.findIndex((line, j) => line !== a[j]);
    assert.fail(
      `${strategy} ${JSON.stringify(options)}: row ${i} of ${JSON.stringify(values[i])}: byte path wrote ${JSON.stringify(a[i])}, string path ${JSON.stringify(e[i])}`,
    );
  }
  return taken();
}

const digit = fc.constantFrom(...'0123456789');
const layoutChar = fc.constantFrom(...'0123456789 -()+.0', '00', '+1 ', '\t', 'ext. ', 'x', '  ', '+', '0');
const phoneLike = fc.array(layoutChar, { maxLength: 24 }).map((parts) => parts.join(''));
const digitRun = (min: number, max: number) => fc.array(digit, { minLength: min, maxLength: max }).map((d) => d.join(''));
const realPhones = fc.oneof(
  fc.tuple(digitRun(3, 3), digitRun(3, 3), digitRun(4, 4)).map(([a, b, c]) => `+1 (${a}) ${b}-${c}`),
  fc.tuple(digitRun(2, 2), digitRun(4, 4), digitRun(4, 4)).map(([a, b, c]) => `0${a} ${b} ${c}`),
  fc.tuple(fc.constantFrom('+', '00', ' +', '+ '), digitRun(1, 4), fc.constantFrom(' ', '-', ''), digitRun(0, 12)).map((p) => p.join('')),
  fc.tuple(fc.constantFrom('', '0', '00'), digitRun(0, 30)).map((p) => p.join('')),
);
const anyText = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
);
const withNulls = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 9, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(null) });

describe('byte path of built-in masks: the same bytes as the string path', () => {
  it('email (default and with a domain): any text, NULL, escapes, non-ASCII', () => {
    for (const options of [{}, { domain: 'corp.test' }]) {
      let taken = 0;
      fc.assert(
        fc.property(
          fc.array(withNulls(fc.oneof(fc.emailAddress(), anyText)), { maxLength: 20 }),
          (values) => void (taken += assertSame('email', values, options)),
        ),
      );
      assert.ok(taken > 0, 'the byte path was used');
    }
  });

  it('email keep_domain has no byte path (the domain is read as a string)', () => {
    assert.equal(byteMaskOf(compiled('email', { keep_domain: true })), undefined);
  });

  it('phone (keeping the country code or not): layouts of every kind, long digit strings, national numbers that cycle-walk', () => {
    for (const options of [{}, { keep_country_code: false }]) {
      let taken = 0;
      fc.assert(
        fc.property(
          fc.array(withNulls(fc.oneof(realPhones, phoneLike, anyText)), { maxLength: 20 }),
          (values) => void (taken += assertSame('phone', values, options)),
        ),
        { numRuns: 300 },
      );
      assert.ok(taken > 0, 'the byte path was used');
    }
  });

  it('phone: exhaustive short national and international shapes', () => {
    const values: string[] = [];
    for (const prefix of ['', '0', '00', '+', ' +', '\t00', '+ ', '00 ']) {
      for (let n = 0; n <= 6; n++)
        for (let v = 0; v < 10 ** n; v += Math.max(1, Math.floor(10 ** n / 97))) values.push(prefix + String(v).padStart(n, '0'));
    }
    assert.ok(assertSame('phone', values) > values.length / 2);
  });

  it('name, first_name, last_name and fake picks: list values (self-maps redrawn by the string path), any text', () => {
    const listed = fc.constantFrom(
      ...FIRST_NAMES,
      ...LAST_NAMES,
      ...CITIES,
      ...FIRST_NAMES.slice(0, 20).map((f, i) => `${f} ${LAST_NAMES[i] ?? ''}`),
    );
    const cases: Array<[string, Options, string]> = [
      ['name', {}, 'text'],
      ['first_name', {}, 'text'],
      ['last_name', {}, 'text'],
      ['last_name', {}, 'character varying(40)'],
      ['fake', { kind: 'city' }, 'text'],
      ['fake', { kind: 'country' }, 'text'],
      ['fake', { kind: 'full_name' }, 'text'],
    ];
    for (const [strategy, options, type] of cases) {
      let taken = 0;
      fc.assert(
        fc.property(
          fc.array(withNulls(fc.oneof(listed, anyText)), { maxLength: 30 }),
          (values) => void (taken += assertSame(strategy, values, options, type)),
        ),
        { numRuns: 150 },
      );
      assert.ok(taken > 0, `the byte path of ${strategy} was used`);
    }
  });

  it('every value of the name lists, which is where a value can fake to itself', () => {
    for (const strategy of ['first_name', 'last_name']) assertSame(strategy, [...FIRST_NAMES, ...LAST_NAMES]);
  });

  it('no byte path where the string path would cut the output to the column', () => {
    assert.equal(byteMaskOf(compiled('last_name', {}, 'character varying(4)')), undefined);
    assert.equal(byteMaskOf(compiled('fake', { kind: 'postcode' })), undefined);
  });

  it('fields that are not well-formed UTF-8 go to the string path (which sees U+FFFD)', () => {
    const { slow, fast, taken } = bothPaths('email');
    const input = Buffer.concat([
      Buffer.from('k\t'),
      Buffer.from([0x61, 0xff, 0x40, 0x62]),
      Buffer.from('\tt\nk\t'),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from('\tt\n'),
    ]);
    assert.ok(maskAll(fast, input).equals(maskAll(slow, input)));
    assert.equal(taken(), 0);
  });
});

describe('utf8Kind', () => {
  const fatal = new TextDecoder('utf-8', { fatal: true });
  const wellFormed = (bytes: Uint8Array): boolean => {
    try {
      fatal.decode(bytes);
      return true;
    } catch {
      return false;
    }
  };

  it('calls well-formed exactly what a fatal TextDecoder accepts (random bytes, and encoded strings)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 12 }),
          fc.string({ unit: 'binary', maxLength: 8 }).map((s) => new TextEncoder().encode(s)),
        ),
        fc.nat(3),
        (bytes, pad) => {
          // Offsets inside a larger buffer, as in a COPY chunk.
          const buf = new Uint8Array(bytes.length + 2 * pad).fill(0x41);
          buf.set(bytes, pad);
          const kind = utf8Kind(buf, pad, pad + bytes.length);
          assert.equal(kind !== Utf8Kind.Invalid, wellFormed(bytes));
          assert.equal(
            kind === Utf8Kind.Ascii,
            bytes.every((b) => b < 0x80),
          );
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('refuses overlong forms, surrogates, code points above U+10FFFF and truncated sequences', () => {
    for (const bad of [
      [0xc0, 0x80],
      [0xe0, 0x80, 0x80],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xe2, 0x82],
      [0x80],
      [0xf8, 0x88, 0x80, 0x80, 0x80],
    ]) {
      assert.equal(utf8Kind(Uint8Array.from(bad), 0, bad.length), Utf8Kind.Invalid, JSON.stringify(bad));
    }
    assert.equal(utf8Kind(Buffer.from('Müller 王 😀'), 0, Buffer.byteLength('Müller 王 😀')), Utf8Kind.Valid);
  });
});

describe('byte path of the digit and hash strategies: the same bytes as the string path', () => {
  const digitText = fc.oneof(
    fc.tuple(digitRun(3, 3), digitRun(2, 2), digitRun(4, 4)).map(([a, b, c]) => `${a}-${b}-${c}`),
    fc.tuple(digitRun(4, 4), digitRun(4, 4), digitRun(4, 4), digitRun(1, 7)).map((p) => p.join(' ')),
    fc.tuple(fc.constantFrom('', 'AB ', 'nº ', 'Müller-'), digitRun(0, 30), fc.constantFrom('', ' C', ' ü')).map((p) => p.join('')),
    phoneLike,
  );

  it('digits on text (keep_first / keep_last) and credit_card (keep_last4, keep_first): every length from 0 to 30 digits', () => {
    const cases: Array<[string, Options]> = [
      ['digits', {}],
      ['digits', { keep_last: 4 }],
      ['digits', { keep_first: 2, keep_last: 3 }],
      ['credit_card', {}],
      ['credit_card', { keep_last4: true }],
      ['credit_card', { keep_first: 6 }],
      ['credit_card', { keep_last4: true, keep_first: 1 }],
    ];
    for (const [strategy, options] of cases) {
      let taken = 0;
      fc.assert(
        fc.property(
          fc.array(withNulls(fc.oneof(digitText, anyText)), { maxLength: 20 }),
          (values) => void (taken += assertSame(strategy, values, options)),
        ),
        { numRuns: 200 },
      );
      const lengths = Array.from({ length: 31 }, (_, n) => `x${'7'.repeat(n)}-${n}`);
      taken += assertSame(strategy, lengths, options);
      assert.ok(taken > 0, `the byte path of ${strategy} ${JSON.stringify(options)} was used`);
    }
  });

  it('exhaustive small domains, where the derangement walks and short values are deranged whole', () => {
    const all = (n: number): string[] => Array.from({ length: 10 ** n }, (_, i) => String(i).padStart(n, '0'));
    const short = [1, 2, 3].flatMap(all);
    const layouts = [
      ...short,
      ...all(3).map((d) => `0${d.slice(0, 1)} ${d.slice(1)}`),
      ...all(3).map((d) => `${d.slice(0, 2)}-${d.slice(2)}`),
    ];
    // Every value no longer than what keep_first + keep_last keep, every national phone shape that cycle-walks.
    for (const options of [{}, { keep_last: 2 }, { keep_first: 1, keep_last: 2 }])
      assert.equal(assertSame('digits', layouts, options), layouts.length);
    for (const options of [{}, { keep_country_code: false }]) assert.equal(assertSame('phone', layouts, options), layouts.length);
    // Card numbers valid or not (every value of the last three digits): the check digit keeps its offset.
    const cards = all(3).map((d) => `4111 1111 1111 1${d}`);
    for (const options of [{}, { keep_last4: true }, { keep_first: 6, keep_last4: true }])
      assert.equal(assertSame('credit_card', [...short, ...cards], options), short.length + cards.length);
    // Every 1- and 2-digit hex input, where a hash of that length equal to its input gets its last digit moved.
    const hex = [...'0123456789abcdef'];
    const hex2 = hex.flatMap((a) => hex.map((b) => a + b));
    assert.equal(assertSame('hash', hex, { length: 1 }), hex.length);
    assert.equal(assertSame('hash', hex2, { length: 2 }), hex2.length);
  });

  it('digits on an integer column has no byte path (its cycle walk keeps the type range)', () => {
    assert.equal(byteMaskOf(compiled('digits', {}, 'bigint')), undefined);
  });

  it('hash at every length from 1 to 32 (and 64, declined to the string path)', () => {
    for (let length = 1; length <= 33; length++) {
      const n = length === 33 ? 64 : length;
      let taken = 0;
      fc.assert(
        fc.property(fc.array(withNulls(anyText), { maxLength: 10 }), (values) => void (taken += assertSame('hash', values, { length: n }))),
        { numRuns: 20 },
      );
      assert.ok(n > 32 ? taken === 0 : taken > 0, `hash length ${n}`);
    }
  });
});
