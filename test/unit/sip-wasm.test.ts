import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { feistelForTests, lastHalves, permuteHalvesJs, unpermuteHalvesJs } from '../../src/anonymize/fpe-digits.js';
import { MaskingKey } from '../../src/anonymize/key.js';
import { Prf } from '../../src/anonymize/prf.js';
import { sipHashBytes, sipHashRange, sipHashRangeJs, sipKeyFromBytes } from '../../src/anonymize/siphash.js';
import { sipWasm, WASM_MESSAGE_LIMIT } from '../../src/anonymize/sip-wasm.js';

const KEYS = [
  new Prf(new MaskingKey(Buffer.alloc(16, 1)), 'fpe-test'),
  new Prf(new MaskingKey(Buffer.alloc(32, 0x5a)), 'phone'),
  new Prf(new MaskingKey(Buffer.alloc(32, 0xff)), 'other-domain'),
];

type Rounds = (a: number, b: number, n: number, prf: Prf, tweak: number) => void;

function run(rounds: Rounds, a: number, b: number, n: number, prf: Prf, tweak: number): { a: number; b: number } {
  rounds(a, b, n, prf, tweak);
  return lastHalves();
}

/** Halves (a of n >>> 1 digits, b of the rest) of an n-digit string, from two fractions in [0, 1). */
function halvesOf(n: number, x: number, y: number): { a: number; b: number } {
  const u = n >>> 1;
  return { a: Math.floor(x * 10 ** u), b: Math.floor(y * 10 ** (n - u)) };
}

describe('WebAssembly Feistel rounds', () => {
  it('are the ones in use on this host (Node on a little-endian machine)', () => {
    assert.equal(feistelForTests.usesWasm, true);
  });

  it('give the JavaScript rounds’ halves, both ways, for every length 2-24, key and tweak', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 24 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.constantFrom(...KEYS),
        fc.integer({ min: 0, max: 0xffffffff }),
        (n, x, y, prf, tweak) => {
          const { a, b } = halvesOf(n, x, y);
          assert.deepEqual(run(feistelForTests.permute, a, b, n, prf, tweak), run(permuteHalvesJs, a, b, n, prf, tweak));
          assert.deepEqual(run(feistelForTests.unpermute, a, b, n, prf, tweak), run(unpermuteHalvesJs, a, b, n, prf, tweak));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('agree at the edges of each length: all zeros and all nines, in either half', () => {
    for (const prf of KEYS) {
      for (let n = 2; n <= 24; n++) {
        const u = n >>> 1;
        const top = { a: 10 ** u - 1, b: 10 ** (n - u) - 1 };
        for (const [a, b] of [
          [0, 0],
          [top.a, top.b],
          [0, top.b],
          [top.a, 0],
        ] as const) {
          for (const tweak of [0, 1, 0xffff, 0xffffffff]) {
            assert.deepEqual(run(feistelForTests.permute, a, b, n, prf, tweak), run(permuteHalvesJs, a, b, n, prf, tweak));
            assert.deepEqual(run(feistelForTests.unpermute, a, b, n, prf, tweak), run(unpermuteHalvesJs, a, b, n, prf, tweak));
          }
        }
      }
    }
  });

  it('undo each other', () => {
    const prf = KEYS[1] as Prf;
    for (let n = 2; n <= 24; n++) {
      const { a, b } = halvesOf(n, 0.123456789, 0.987654321);
      const forward = run(feistelForTests.permute, a, b, n, prf, 7);
      assert.deepEqual(run(feistelForTests.unpermute, forward.a, forward.b, n, prf, 7), { a, b });
    }
  });
});

describe('WebAssembly SipHash of byte ranges', () => {
  const key = sipKeyFromBytes(Uint8Array.from({ length: 16 }, (_, i) => i));
  const other = sipKeyFromBytes(Uint8Array.from({ length: 16 }, (_, i) => 255 - i * 7));

  it('is the one in use on this host', () => {
    assert.notEqual(sipWasm(), undefined);
  });

  /** sipHashRange (WebAssembly) and sipHashBytes (JavaScript, checked against the official vectors) on src[start, end). */
  function assertSame(k: typeof key, src: Uint8Array, start: number, end: number, wide: boolean): void {
    const viaWasm = new Uint32Array(4);
    const viaJs = new Uint32Array(4);
    sipHashRange(k, src, start, end, viaWasm, wide);
    sipHashBytes(k, src.subarray(start, end), viaJs, wide);
    const words = wide ? 4 : 2;
    assert.deepEqual([...viaWasm.subarray(0, words)], [...viaJs.subarray(0, words)], `length ${end - start}, wide ${wide}`);
  }

  it('gives the JavaScript hash, 64 and 128 bits, for every length 0-100 (the official vectors’ messages)', () => {
    const src = Uint8Array.from({ length: 120 }, (_, i) => i);
    for (let len = 0; len <= 100; len++) {
      for (const wide of [false, true]) {
        assertSame(key, src, 0, len, wide);
        assertSame(other, src, 7, 7 + len, wide);
      }
    }
  });

  it('gives the JavaScript hash on random bytes at any offset, after longer messages left bytes in its memory', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(40), fc.boolean(), (bytes, cut, wide) => {
        const long = new Uint8Array(500).fill(0xff);
        sipHashRange(key, long, 0, long.length, new Uint32Array(4), wide);
        const start = Math.min(cut, bytes.length);
        assertSame(key, bytes, start, bytes.length, wide);
      }),
      { numRuns: 2000 },
    );
  });

  it('hands messages longer than its memory to the JavaScript hash, with the same result either side of the limit', () => {
    const src = Uint8Array.from({ length: WASM_MESSAGE_LIMIT + 20 }, (_, i) => (i * 31) & 0xff);
    for (const len of [WASM_MESSAGE_LIMIT - 1, WASM_MESSAGE_LIMIT, WASM_MESSAGE_LIMIT + 1, WASM_MESSAGE_LIMIT + 20]) {
      for (const wide of [false, true]) {
        assertSame(key, src, 0, len, wide);
        const js = new Uint32Array(4);
        const used = new Uint32Array(4);
        sipHashRangeJs(key, src, 0, len, js, wide);
        sipHashRange(key, src, 0, len, used, wide);
        assert.deepEqual([...used], [...js]);
      }
    }
  });
});
