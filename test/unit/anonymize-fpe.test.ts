import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { getBits, permuteBits, setBits } from '../../src/anonymize/fpe-bits.js';
import { permuteDigits, permuteDigitsWithin } from '../../src/anonymize/fpe-digits.js';
import { MaskingKey } from '../../src/anonymize/key.js';
import { Prf } from '../../src/anonymize/prf.js';

const prf = new Prf(new MaskingKey(Buffer.alloc(16, 1)), 'fpe-test');

describe('permuteDigits', () => {
  it('is a permutation of all strings of each length 1-5 (exhaustive)', () => {
    for (let n = 1; n <= 5; n++) {
      const seen = new Set<string>();
      let fixed = 0;
      for (let i = 0; i < 10 ** n; i++) {
        const input = String(i).padStart(n, '0');
        const out = permuteDigits(input, prf, 7);
        assert.match(out, new RegExp(`^\\d{${n}}$`));
        seen.add(out);
        if (out === input) fixed++;
      }
      assert.equal(seen.size, 10 ** n, `length ${n}`);
      // A random permutation has about one fixed point; far more would mean it is not mixing.
      if (n >= 3) assert.ok(fixed < 20, `length ${n}: ${fixed} fixed points`);
    }
  });

  it('keeps length for long strings (chained chunks) and depends on every chunk', () => {
    const long = '1234567890'.repeat(6);
    const out = permuteDigits(long, prf);
    assert.equal(out.length, long.length);
    const changedLate = permuteDigits(long.slice(0, -1) + '9', prf);
    const changedEarly = permuteDigits('9' + long.slice(1), prf);
    assert.equal(changedLate.slice(0, 24), out.slice(0, 24));
    assert.notEqual(changedEarly.slice(30), out.slice(30));
  });

  it('gives unrelated permutations for different tweaks', () => {
    let same = 0;
    for (let i = 0; i < 1000; i++) if (permuteDigits(String(i).padStart(6, '0'), prf, 1) === permuteDigits(String(i).padStart(6, '0'), prf, 2)) same++;
    assert.ok(same < 5);
  });

  it('cycle-walks into the accepted set, bijectively', () => {
    const accept = (s: string): boolean => s[0] !== '0' && s <= '7500';
    const outs = new Set<string>();
    for (let i = 1000; i <= 7500; i++) {
      const out = permuteDigitsWithin(String(i), prf, 3, accept);
      assert.ok(accept(out), out);
      outs.add(out);
    }
    assert.equal(outs.size, 6501);
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
        assert.equal(getBits(words, start + width, 10), getBits(Uint32Array.of(0xdeadbeef, 0x01234567, 0x89abcdef, 0x55aa55aa), start + width, 10));
      }
      assert.equal(seen.size, 2 ** width, `width ${width}`);
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
