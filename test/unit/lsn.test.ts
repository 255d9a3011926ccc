import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { isPgtwinError } from '../../src/errors.js';
import { formatLsn, parseLsn } from '../../src/stream/lsn.js';

function assertInvalid(text: string): void {
  assert.throws(
    () => parseLsn(text),
    (error: unknown) => isPgtwinError(error) && error.code === 'LSN_INVALID' && error.nextStep !== undefined,
    `should reject ${JSON.stringify(text)}`,
  );
}

describe('parseLsn', () => {
  it('reads the two halves as the high and low 32 bits', () => {
    assert.equal(parseLsn('16/B374D848'), 0x16_b374_d848n);
    assert.equal(parseLsn('0/1'), 1n);
    assert.equal(parseLsn('1/0'), 0x1_0000_0000n);
  });

  it('reads the edges 0/0 and FFFFFFFF/FFFFFFFF', () => {
    assert.equal(parseLsn('0/0'), 0n);
    assert.equal(parseLsn('FFFFFFFF/FFFFFFFF'), 0xffff_ffff_ffff_ffffn);
  });

  it('accepts lowercase and zero-padded halves, as pg_lsn does', () => {
    assert.equal(parseLsn('16/b374d848'), 0x16_b374_d848n);
    assert.equal(parseLsn('00000016/0000D848'), 0x16_0000_d848n);
  });

  it('rejects anything that is not two hex numbers of 1 to 8 digits', () => {
    for (const text of ['', '/', '0/', '/0', '0', '0/0/0', '123456789/0', '0/123456789', 'G/0', ' 0/0', '0/0 ', '-1/0', '0x1/0', '1.5/0']) {
      assertInvalid(text);
    }
  });

  it('keeps a long bad input out of the message', () => {
    try {
      parseLsn('x'.repeat(1000));
      assert.fail('should throw');
    } catch (error) {
      assert.ok(error instanceof Error && error.message.length < 200);
    }
  });
});

describe('formatLsn', () => {
  it('prints uppercase hex without zero padding in either half', () => {
    assert.equal(formatLsn(0x16_b374_d848n), '16/B374D848');
    assert.equal(formatLsn(0n), '0/0');
    assert.equal(formatLsn(1n), '0/1');
    assert.equal(formatLsn(0x1_0000_0000n), '1/0');
    assert.equal(formatLsn(0x0000_000a_0000_00ffn), 'A/FF');
    assert.equal(formatLsn(0xffff_ffff_ffff_ffffn), 'FFFFFFFF/FFFFFFFF');
  });

  it('refuses values outside 64 unsigned bits', () => {
    for (const lsn of [-1n, 1n << 64n]) {
      assert.throws(
        () => formatLsn(lsn),
        (error: unknown) => isPgtwinError(error) && error.code === 'LSN_OUT_OF_RANGE',
      );
    }
  });

  it('round-trips with parseLsn for every 64-bit value', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn }), (lsn) => {
        assert.equal(parseLsn(formatLsn(lsn)), lsn);
      }),
    );
  });

  it('orders like the numbers it prints (bigint comparison is the LSN order)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn }), fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn }), (a, b) => {
        const [ha, la] = formatLsn(a)
          .split('/')
          .map((h) => BigInt(`0x${h}`));
        const [hb, lb] = formatLsn(b)
          .split('/')
          .map((h) => BigInt(`0x${h}`));
        assert.ok(ha !== undefined && la !== undefined && hb !== undefined && lb !== undefined);
        const textOrder = ha === hb ? Math.sign(Number(la - lb)) : Math.sign(Number(ha - hb));
        assert.equal(textOrder, a === b ? 0 : a < b ? -1 : 1);
      }),
    );
  });
});
