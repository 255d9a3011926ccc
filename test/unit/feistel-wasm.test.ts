import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { feistelForTests, lastHalves, permuteHalvesJs, unpermuteHalvesJs } from '../../src/anonymize/fpe-digits.js';
import { MaskingKey } from '../../src/anonymize/key.js';
import { Prf } from '../../src/anonymize/prf.js';

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
