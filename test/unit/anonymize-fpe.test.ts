import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { derangeBits, getBits, permuteBits, setBits } from '../../src/anonymize/fpe-bits.js';
import { derangeDigitCodes, derangeDigits } from '../../src/anonymize/fpe-digits.js';
import { MaskingKey } from '../../src/anonymize/key.js';
import { Prf } from '../../src/anonymize/prf.js';

const prf = new Prf(new MaskingKey(Buffer.alloc(16, 1)), 'fpe-test');

const KEYS = [
  prf,
  new Prf(new MaskingKey(Buffer.alloc(32, 0x5a)), 'fpe-test'),
  new Prf(new MaskingKey(Buffer.alloc(32, 0xc3)), 'other-domain'),
];

/** Every string of `n` digits. */
function allDigitStrings(n: number): string[] {
  return Array.from({ length: 10 ** n }, (_, i) => String(i).padStart(n, '0'));
}

describe('derangeDigits', () => {
  it('is a permutation without a fixed point of all strings of each length 1-4, for several keys and tweaks (exhaustive)', () => {
    for (const [k, key] of KEYS.entries()) {
      for (const tweak of [0, 1, 7, 0x100 | 3]) {
        for (let n = 1; n <= 4; n++) {
          const seen = new Set<string>();
          for (const input of allDigitStrings(n)) {
            const out = derangeDigits(input, key, tweak);
            assert.match(out, new RegExp(`^\\d{${n}}$`));
            assert.notEqual(out, input, `key ${k}, tweak ${tweak}: ${input} masks to itself`);
            seen.add(out);
          }
          assert.equal(seen.size, 10 ** n, `key ${k}, tweak ${tweak}, length ${n}: not injective`);
        }
      }
    }
  });

  it('is still keyed: different keys and tweaks give unrelated derangements, not a shift', () => {
    let same = 0;
    let shifted = 0;
    for (let i = 0; i < 1000; i++) {
      const input = String(i).padStart(6, '0');
      if (derangeDigits(input, prf, 1) === derangeDigits(input, prf, 2)) same++;
      if (Number(derangeDigits(input, prf, 1)) === (i + 1) % 1e6) shifted++;
    }
    assert.ok(same < 5, `${same} equal`);
    assert.ok(shifted < 5, `${shifted} shifted by one`);
    // One digit: not the same map under every key.
    const maps = new Set(
      KEYS.map((key) =>
        allDigitStrings(1)
          .map((d) => derangeDigits(d, key, 0))
          .join(''),
      ),
    );
    assert.equal(maps.size, KEYS.length);
  });

  it('keeps length for long strings (chained chunks), depends on every chunk, and never returns its input', () => {
    const long = '1234567890'.repeat(6);
    const out = derangeDigits(long, prf);
    assert.equal(out.length, long.length);
    assert.notEqual(out.slice(0, 24), long.slice(0, 24));
    const changedLate = derangeDigits(long.slice(0, -1) + '9', prf);
    const changedEarly = derangeDigits('9' + long.slice(1), prf);
    assert.equal(changedLate.slice(0, 24), out.slice(0, 24));
    assert.notEqual(changedEarly.slice(30), out.slice(30));
    // 25 digits: a chunk of 24 and one of 1, exhaustive over the last digit and the first.
    const seen = new Set<string>();
    for (let first = 0; first < 10; first++) {
      for (let last = 0; last < 10; last++) {
        const input = `${first}${'5'.repeat(23)}${last}`;
        const masked = derangeDigits(input, prf, 4);
        assert.notEqual(masked, input);
        seen.add(masked);
      }
    }
    assert.equal(seen.size, 100);
  });

  it('cycle-walks into the accepted set: a derangement of it (exhaustive)', () => {
    const ranges: Array<[number, number, number]> = [
      [1000, 7500, 4],
      [1, 9, 1],
      [10, 11, 2],
      [100, 327, 3],
      [0, 9, 1],
    ];
    for (const key of KEYS) {
      for (const [lo, hi, n] of ranges) {
        const accept = (s: string): boolean => Number(s) >= lo && Number(s) <= hi && (n === 1 || s[0] !== '0');
        const outs = new Set<string>();
        for (let i = lo; i <= hi; i++) {
          const input = String(i).padStart(n, '0');
          const out = derangeDigits(input, key, 3, accept);
          assert.ok(accept(out), out);
          assert.notEqual(out, input);
          outs.add(out);
        }
        assert.equal(outs.size, hi - lo + 1);
      }
    }
  });

  it('the byte path (digit codes in place) gives the same digits, accepted set included (exhaustive, lengths 1-4)', () => {
    const accept = (s: string): boolean => s[0] !== '0' || s.length === 1;
    for (const key of KEYS) {
      for (let n = 1; n <= 4; n++) {
        for (const input of allDigitStrings(n)) {
          const codes = Buffer.from(`x${input}y`, 'latin1');
          assert.ok(derangeDigitCodes(codes, 1, n + 1, key, 9));
          assert.equal(codes.toString('latin1'), `x${derangeDigits(input, key, 9)}y`);
          if (!accept(input)) continue;
          const walked = Buffer.from(input, 'latin1');
          derangeDigitCodes(walked, 0, n, key, 9, () => accept(walked.toString('latin1')));
          assert.equal(walked.toString('latin1'), derangeDigits(input, key, 9, accept));
        }
      }
    }
    assert.equal(derangeDigitCodes(Buffer.from('1'.repeat(25)), 0, 25, prf, 0), false);
  });
});

describe('bit fields', () => {
  it('getBits reads what setBits wrote, leaving other bits alone', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 0xffffffff }), { minLength: 4, maxLength: 4 }),
        fc.integer({ min: 0, max: 127 }),
        fc.integer({ min: 0, max: 32 }),
        fc.nat({ max: 0xffffffff }),
        (initial, start, len, value) => {
          fc.pre(start + len <= 128);
          const words = Uint32Array.from(initial);
          const before = Uint32Array.from(initial);
          setBits(words, start, len, value);
          const expected = len === 0 ? 0 : len === 32 ? value >>> 0 : (value & (2 ** len - 1)) >>> 0;
          assert.equal(getBits(words, start, len), expected);
          // Bits outside the field are unchanged.
          for (let bit = 0; bit < 128; bit++) {
            if (bit >= start && bit < start + len) continue;
            assert.equal(getBits(words, bit, 1), getBits(before, bit, 1), `bit ${bit}`);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('permuteBits is a permutation of every width 1-14 (exhaustive), touching only the field', () => {
    for (let width = 1; width <= 14; width++) {
      const start = 37;
      const seen = new Set<number>();
      for (let x = 0; x < 2 ** width; x++) {
        const words = Uint32Array.of(0xdeadbeef, 0x01234567, 0x89abcdef, 0x55aa55aa);
        setBits(words, start, width, x);
        permuteBits(words, start, width, prf, 9);
        seen.add(getBits(words, start, width));
        assert.equal(getBits(words, 0, 32), 0xdeadbeef);
        assert.equal(
          getBits(words, start + width, 10),
          getBits(Uint32Array.of(0xdeadbeef, 0x01234567, 0x89abcdef, 0x55aa55aa), start + width, 10),
        );
      }
      assert.equal(seen.size, 2 ** width, `width ${width}`);
    }
  });

  it('derangeBits is a permutation without a fixed point of every width 1-14 (exhaustive, several keys), touching only the field', () => {
    for (const [k, key] of KEYS.entries()) {
      for (let width = 1; width <= 14; width++) {
        const start = 37;
        const seen = new Set<number>();
        for (let x = 0; x < 2 ** width; x++) {
          const words = Uint32Array.of(0xdeadbeef, 0x01234567, 0x89abcdef, 0x55aa55aa);
          setBits(words, start, width, x);
          derangeBits(words, start, width, key, 9);
          const out = getBits(words, start, width);
          assert.notEqual(out, x, `key ${k}, width ${width}: ${x} masks to itself`);
          seen.add(out);
          assert.equal(getBits(words, 0, 32), 0xdeadbeef);
          assert.equal(
            getBits(words, start + width, 10),
            getBits(Uint32Array.of(0xdeadbeef, 0x01234567, 0x89abcdef, 0x55aa55aa), start + width, 10),
          );
        }
        assert.equal(seen.size, 2 ** width, `key ${k}, width ${width}`);
      }
    }
  });

  it('derangeBits carries across words and halves: the all-ones and all-zeros fields of wide widths move', () => {
    for (const width of [31, 32, 33, 63, 64, 65, 122, 128]) {
      for (const fill of [0, 0xffffffff]) {
        const words = Uint32Array.of(fill, fill, fill, fill);
        const before = Array.from(words);
        derangeBits(words, 0, width, prf, 1);
        assert.notDeepEqual(Array.from(words), before, `width ${width}`);
      }
    }
  });

  it('permutes wide fields (61-bit halves) without collisions on a sample', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      const words = Uint32Array.of(0, 0, i >>> 16, i & 0xffff);
      permuteBits(words, 0, 122, prf);
      seen.add(Array.from(words).join(','));
    }
    assert.equal(seen.size, 100_000);
  });
});
