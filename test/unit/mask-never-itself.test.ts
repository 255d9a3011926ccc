/**
 * A masked value never equals its source value, and injective strategies stay
 * injective, checked EXHAUSTIVELY on small domains (every 1- to 4-digit string,
 * every integer in [-1000, 1000] and near each integer type's limits, phone
 * layouts with few digits, short card-like numbers, small address blocks and
 * cidr networks, every 1- and 2-digit hex string) under several keys. Each
 * value also goes through the strategy's byte path, which must write what the
 * string path returns.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { byteMaskOf, DECLINED, maskOutput } from '../../src/anonymize/byte-mask.js';
import { checkMasks, compileMasks, MaskingKey } from '../../src/anonymize/index.js';
import { luhnValid } from '../../src/anonymize/strategies/digit-layout.js';
import type { ColumnMask } from '../../src/anonymize/strategy-types.js';

const KEYS = [0x11, 0x5a, 0xc3].map((byte) => new MaskingKey(Buffer.alloc(32, byte)));
const NO_ROW = { field: (): string | null => null };

type Options = Record<string, unknown>;

function compiled(key: MaskingKey, strategy: string, options: Options, type: string): ColumnMask {
  const mask = compileMasks(new Map([['v', { strategy, options }]]), [{ name: 'v', type }], { table: 'public.t', key }).get(0);
  assert.ok(mask);
  return mask;
}

/**
 * Masks every input under every key, both paths, and returns the outputs of
 * the last key; asserts the byte path agrees wherever it answers.
 */
function maskEach(
  strategy: string,
  options: Options,
  type: string,
  inputs: readonly string[],
  check: (input: string, output: string, key: number) => void,
): void {
  for (const [k, key] of KEYS.entries()) {
    const mask = compiled(key, strategy, options, type);
    const bytes = byteMaskOf(mask);
    for (const input of inputs) {
      const output = mask(input, NO_ROW);
      assert.ok(output !== null);
      if (bytes !== undefined) {
        const src = Buffer.from(input, 'utf8');
        const n = bytes(
          src,
          0,
          src.length,
          src.every((b) => b < 0x80),
        );
        if (n !== DECLINED)
          assert.equal(
            Buffer.from(maskOutput.bytes.subarray(0, n)).toString('utf8'),
            output,
            `${strategy} ${JSON.stringify(options)} byte path on ${JSON.stringify(input)}`,
          );
      }
      check(input, output, k);
    }
  }
}

/** Asserts: no output equals its input (unless `mayStay` says so), and distinct inputs give distinct outputs (compared by `identity`). */
function assertDerangement(
  strategy: string,
  options: Options,
  type: string,
  inputs: readonly string[],
  {
    identity = (s: string) => s,
    mayStay = () => false,
    extra,
  }: { identity?: (s: string) => string; mayStay?: (input: string) => boolean; extra?: (input: string, output: string) => void } = {},
): void {
  const label = `${strategy} ${JSON.stringify(options)} on ${type}`;
  assert.equal(new Set(inputs.map(identity)).size, inputs.length, `${label}: the inputs are distinct values`);
  const seen = KEYS.map(() => new Map<string, string>());
  maskEach(strategy, options, type, inputs, (input, output, k) => {
    if (mayStay(input)) assert.equal(output, input, `${label}: ${JSON.stringify(input)} is documented as copied`);
    else assert.notEqual(identity(output), identity(input), `${label}, key ${k}: ${JSON.stringify(input)} masks to itself`);
    const map = seen[k] as Map<string, string>;
    const other = map.get(identity(output));
    assert.equal(
      other,
      undefined,
      `${label}, key ${k}: ${JSON.stringify(other)} and ${JSON.stringify(input)} both mask to ${JSON.stringify(output)}`,
    );
    map.set(identity(output), input);
    extra?.(input, output);
  });
}

const range = (lo: number, hi: number): number[] => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
const digitStrings = (n: number): string[] => range(0, 10 ** n - 1).map((i) => String(i).padStart(n, '0'));
const upTo4Digits = [1, 2, 3, 4].flatMap(digitStrings);

/** Fills each `#` of a layout with the digits of every number of that many digits. */
function filled(layout: string): string[] {
  const count = [...layout].filter((c) => c === '#').length;
  return digitStrings(count).map((digits) => {
    let d = 0;
    return layout.replace(/#/g, () => digits.charAt(d++));
  });
}

describe('digits: never the input, injective (exhaustive on small domains)', () => {
  it('on text: every 1- to 4-digit string, bare and in layouts', () => {
    const inputs = [...upTo4Digits, ...filled('#-#'), ...filled('(#) ##'), ...filled('AB # C'), ...filled('#-##-#')];
    assertDerangement('digits', {}, 'text', inputs, { extra: (i, o) => assert.equal(o.replace(/\d/g, '#'), i.replace(/\d/g, '#')) });
  });

  it('on text with keep_first / keep_last: kept digits stay, and a value with no more digits than are kept is deranged whole', () => {
    for (const options of [{ keep_last: 2 }, { keep_first: 1, keep_last: 1 }, { keep_first: 3 }]) {
      const first = (options as { keep_first?: number }).keep_first ?? 0;
      const last = (options as { keep_last?: number }).keep_last ?? 0;
      assertDerangement('digits', options, 'text', [...upTo4Digits, ...filled('##-##')], {
        extra: (input, output) => {
          const d = input.replace(/\D/g, '');
          const o = output.replace(/\D/g, '');
          if (d.length > first + last) {
            assert.equal(o.slice(0, first), d.slice(0, first));
            assert.equal(o.slice(o.length - last), d.slice(d.length - last));
          }
        },
      });
    }
  });

  it('on text: a value without digits has nothing to replace and is copied', () => {
    assertDerangement('digits', {}, 'text', ['', 'n/a', 'AB-C'], { mayStay: () => true });
  });

  for (const type of ['smallint', 'integer', 'bigint']) {
    it(`on ${type}: every integer in [-1000, 1000] and near the type's limits; sign and digit count kept, -0 never written`, () => {
      const limits: Record<string, [bigint, bigint]> = {
        smallint: [-32768n, 32767n],
        integer: [-2147483648n, 2147483647n],
        bigint: [-9223372036854775808n, 9223372036854775807n],
      };
      const [min, max] = limits[type] as [bigint, bigint];
      const near = range(0, 300).flatMap((i) => [String(min + BigInt(i)), String(max - BigInt(i))]);
      const inputs = [...range(-1000, 1000).map(String), ...near];
      assertDerangement('digits', {}, type, inputs, {
        // Compared as the integers PostgreSQL reads: `-0` and `0` are one value.
        identity: (s) => String(BigInt(s)),
        extra: (input, output) => {
          assert.match(output, /^-?(0|[1-9]\d*)$/, `${input} -> ${output}`);
          assert.notEqual(output, '-0');
          assert.equal(output.startsWith('-'), input.startsWith('-'), `${input} -> ${output}: sign`);
          assert.equal(output.replace('-', '').length, input.replace('-', '').length, `${input} -> ${output}: digit count`);
          assert.ok(BigInt(output) >= min && BigInt(output) <= max, `${input} -> ${output}: out of ${type}`);
        },
      });
    });
  }
});

describe('digits on integers: a value outside its type', () => {
  // It cannot come from PostgreSQL; the cycle walk would never end on it, so it must fail the table instead.
  it('fails with ANONYMIZATION_FAILED instead of walking forever', { timeout: 5000 }, () => {
    const mask = compiled(KEYS[0] as MaskingKey, 'digits', {}, 'smallint');
    assert.throws(() => mask('99999', NO_ROW), { code: 'ANONYMIZATION_FAILED' });
    assert.throws(() => mask('-40000', NO_ROW), { code: 'ANONYMIZATION_FAILED' });
  });
});

describe('phone: never the input, injective (exhaustive on layouts with few digits)', () => {
  const layouts = [
    '#',
    '##',
    '###',
    '####',
    '0#',
    '0##',
    '0 ##',
    '00##',
    '+#',
    '+##',
    '+###',
    '+# ##',
    '+## ##',
    '(##) #',
    '# ##-#',
    '0## ##',
    '+1 ###',
    '00 ## #',
    'tel: ###',
  ];
  const inputs = [...new Set(layouts.flatMap(filled))];
  /** Values whose digits are all kept (a bare country code, `00`) have nothing to replace. */
  const onlyKept = (value: string): boolean => /^(\+\d{1,3}|00\d{0,3}|00 \d{1,2})$/.test(value) || /^\+\d{1,3}$/.test(value);

  it('keeping the country code and trunk 0', () => {
    const stays = new Set<string>();
    // Which values keep all their digits follows from the layout; find them under the first key, then check them under all.
    maskEach('phone', {}, 'text', inputs, (input, output, k) => {
      if (k === 0 && output === input) stays.add(input);
    });
    for (const value of stays) assert.ok(onlyKept(value), `${value} masks to itself`);
    assertDerangement('phone', {}, 'text', inputs, {
      mayStay: (v) => stays.has(v),
      extra: (i, o) => assert.equal(o.replace(/\d/g, '#'), i.replace(/\d/g, '#')),
    });
  });

  it('with keep_country_code: false (every digit deranged)', () => {
    assertDerangement('phone', { keep_country_code: false }, 'text', inputs);
  });
});

describe('credit_card: never the input, injective over every number, Luhn-valid when the input is', () => {
  const checkLuhn = (input: string, output: string): void => {
    const d = input.replace(/\D/g, '');
    if (d.length >= 12 && d.length <= 19)
      assert.equal(luhnValid(output.replace(/\D/g, '')), luhnValid(d), `${input} -> ${output}: Luhn validity`);
  };

  it('values that are not card numbers: every 1- to 4-digit string', () => {
    assertDerangement('credit_card', {}, 'text', upTo4Digits);
  });

  for (const options of [{}, { keep_last4: true }, { keep_first: 6 }, { keep_first: 6, keep_last4: true }]) {
    it(`12- and 16-digit numbers, every value of the last 4 digits, valid or not ${JSON.stringify(options)}`, () => {
      const inputs = [
        ...digitStrings(4).map((tail) => `41111111${tail}`),
        ...digitStrings(4).map((tail) => `5500 0000 0000 ${tail}`),
        ...digitStrings(3).map((tail) => `3400000000000${tail.slice(0, 2)}-${tail.slice(2)}`),
      ];
      assertDerangement('credit_card', options, 'text', inputs, { extra: checkLuhn });
    });
  }
});

describe('ip: never the input, injective on inet and cidr', () => {
  const v4 = (word: number): string => `${word >>> 24}.${(word >>> 16) & 255}.${(word >>> 8) & 255}.${word & 255}`;

  it('every address of a /20 on inet, with keep_prefix 20 and 0 (IPv4) and 116 (IPv6)', () => {
    const block = range(0, 4095).map((i) => v4(((10 << 24) | (20 << 16) | (i << 0)) >>> 0));
    assertDerangement('ip', { keep_prefix: 20 }, 'inet', block);
    assertDerangement('ip', {}, 'inet', block.slice(0, 500));
    const v6 = range(0, 4095).map((i) => `2001:db8::${i.toString(16)}`);
    assertDerangement('ip', { keep_prefix_v6: 116 }, 'inet', v6, { identity: (s) => s.replace(/^2001:db8::/, '') });
  });

  it('every cidr network of prefix 1 to 12, including those no longer than keep_prefix; /0 holds no address bit', () => {
    const networks = range(1, 12).flatMap((prefix) =>
      range(0, 2 ** prefix - 1).map((n) => `${v4((n * 2 ** (32 - prefix)) >>> 0)}/${prefix}`),
    );
    assertDerangement('ip', { keep_prefix: 8 }, 'cidr', networks, {
      extra: (input, output) => {
        const [, prefix] = input.split('/');
        assert.equal(output.split('/')[1], prefix);
      },
    });
    assertDerangement('ip', { keep_prefix: 8 }, 'cidr', ['0.0.0.0/0', '::/0'], { mayStay: () => true });
  });

  it('refuses to keep every bit, and is not injective on text (two spellings of one address)', () => {
    const rules = (options: Options, type: string) =>
      checkMasks(new Map([['v', { strategy: 'ip', options }]]), [{ name: 'v', type }], { table: 'public.t', uniqueKeys: [['v']] });
    assert.match(
      rules({ keep_prefix: 32 }, 'inet')
        .map((p) => p.message)
        .join(),
      /keep_prefix/,
    );
    assert.match(
      rules({ keep_prefix_v6: 128 }, 'inet')
        .map((p) => p.message)
        .join(),
      /keep_prefix_v6/,
    );
    assert.deepEqual(rules({}, 'inet'), []);
    assert.deepEqual(rules({}, 'cidr'), []);
    assert.deepEqual(
      rules({}, 'text').map((p) => p.code),
      ['NOT_INJECTIVE'],
    );
    const mask = compiled(KEYS[0] as MaskingKey, 'ip', {}, 'text');
    assert.equal(mask('10.0.0.1', NO_ROW), mask('010.0.0.1', NO_ROW));
  });
});

describe('uuid and hash: never the input', () => {
  it('uuid: v4 UUIDs differing in their low bits, other versions, and every spelling of one UUID on text are all distinct', () => {
    const base = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380';
    const inputs = [
      ...range(0, 4095).map((i) => base + i.toString(16).padStart(3, '0')),
      '00000000-0000-0000-0000-000000000000',
      'ffffffff-ffff-ffff-ffff-ffffffffffff',
      '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
    ];
    assertDerangement('uuid', {}, 'uuid', inputs);
    const spellings = [
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
      '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}',
      'a0eebc999c0b4ef8bb6d6bb9bd380a11',
      'A0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
    ];
    assertDerangement('uuid', {}, 'text', spellings);
  });

  it('hash: every 1- and 2-digit hex string with length 1 and 2 (where a self-map is likely)', () => {
    const hex = '0123456789abcdef';
    const one = [...hex];
    const two = one.flatMap((a) => one.map((b) => a + b));
    for (const [length, inputs] of [
      [1, one],
      [2, two],
    ] as const) {
      let changed = 0;
      maskEach('hash', { length }, 'text', inputs, (input, output) => {
        assert.notEqual(output, input, `hash length ${length}: ${input} masks to itself`);
        assert.match(output, new RegExp(`^[0-9a-f]{${length}}$`));
        changed++;
      });
      assert.equal(changed, inputs.length * KEYS.length);
    }
  });
});
