/**
 * Injective strategies on 1,000,000 distinct inputs give 1,000,000 distinct
 * outputs. Inputs are generated with the shape real columns have (one layout
 * per column), since layout-preserving strategies are injective per layout.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { compileMasks, MaskingKey } from '../../src/anonymize/index.js';
import { luhnCheckDigit } from '../../src/anonymize/strategies/digit-layout.js';

const N = 1_000_000;
const KEY = new MaskingKey(Buffer.alloc(32, 0x33));
const NO_ROW = { field: (): string | null => null };

function assertDistinct(strategy: string, type: string, options: Record<string, unknown>, input: (i: number) => string): void {
  const mask = compileMasks(new Map([['v', { strategy, options }]]), [{ name: 'v', type }], { table: 't', key: KEY }).get(0);
  assert.ok(mask);
  const seen = new Set<string>();
  const inputs = new Set<string>();
  for (let i = 0; i < N; i++) {
    const value = input(i);
    inputs.add(value);
    seen.add(mask(value, NO_ROW) as string);
  }
  assert.equal(inputs.size, N, 'the generated inputs are distinct');
  assert.equal(seen.size, N, `${strategy}: ${N - seen.size} collisions`);
}

const pad = (i: number, width: number): string => String(i).padStart(width, '0');

describe('injective strategies on 1,000,000 distinct inputs', () => {
  it('email', () => assertDistinct('email', 'text', {}, (i) => `user${i}@example.org`));

  it('phone', () => assertDistinct('phone', 'text', {}, (i) => `+1-555-${pad(i, 7).slice(0, 3)}-${pad(i, 7).slice(3)}`));

  it('phone within a small domain (every 6-digit number)', () => assertDistinct('phone', 'text', {}, (i) => `${pad(i, 6)}`));

  it('credit_card', () =>
    assertDistinct('credit_card', 'text', {}, (i) => {
      const body = `4${pad(i * 7919, 14)}`;
      return body + luhnCheckDigit(body);
    }));

  it('credit_card keeping the last 4', () =>
    assertDistinct('credit_card', 'text', { keep_last4: true }, (i) => {
      const body = `5${pad(i * 104729, 14)}`;
      return body + luhnCheckDigit(body);
    }));

  it('digits (SSN layout)', () =>
    assertDistinct('digits', 'text', {}, (i) => {
      const d = pad(i * 997, 9);
      return `${d.slice(0, 3)}-${d.slice(3, 5)}-${d.slice(5)}`;
    }));

  it('digits on an integer column', () => assertDistinct('digits', 'integer', {}, (i) => String(1_000_000 + i)));

  it('uuid', () =>
    assertDistinct('uuid', 'uuid', {}, (i) => {
      const hex = (i * 2654435761).toString(16).padStart(12, '0').slice(-12);
      return `a0eebc99-9c0b-4ef8-bb6d-${hex}`;
    }));

  it('hash (full length)', () => assertDistinct('hash', 'text', {}, (i) => `token-${i}`));

  it('ip (IPv4)', () => assertDistinct('ip', 'inet', {}, (i) => `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`));
});
