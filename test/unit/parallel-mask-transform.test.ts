import assert from 'node:assert/strict';
import { Readable, type Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';

import fc from 'fast-check';

import { AnonymizationError } from '../../src/anonymize/errors.js';
import { MaskingKey } from '../../src/anonymize/key.js';
import { encodeField } from '../../src/pg/copy-text.js';
import { MaskPool } from '../../src/mask/mask-pool.js';
import { createMaskingTransform } from '../../src/mask/mask-transform.js';
import { createParallelMaskingTransform } from '../../src/mask/parallel-mask-transform.js';
import { compileTableMasks, strategyRegistry, type MaskTableSpec } from '../../src/mask/run-masks.js';
import { MaskRowError } from '../../src/mask/row-masker.js';
import { deserializeError, serializeError } from '../../src/mask/worker-errors.js';

const SPEC: MaskTableSpec = {
  table: 'public.people',
  rules: [
    ['email', { strategy: 'email', options: {} }],
    ['phone', { strategy: 'phone', options: {} }],
    ['last_name', { strategy: 'last_name', options: {} }],
  ],
  columns: [
    { name: 'id', type: 'bigint' },
    { name: 'email', type: 'text' },
    { name: 'phone', type: 'text' },
    { name: 'last_name', type: 'text' },
    { name: 'note', type: 'text' },
  ],
  primaryKey: ['id'],
  uniqueKeys: [],
};
const KEY = new MaskingKey(Buffer.alloc(32, 5));

type Row = readonly (string | null)[];

function encodeRows(rows: readonly Row[]): Buffer {
  return Buffer.from(rows.map((row) => row.map(encodeField).join('\t') + '\n').join(''), 'utf8');
}

function cutInto(buf: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let p = 0; p < buf.length; p += size) chunks.push(buf.subarray(p, Math.min(buf.length, p + size)));
  return chunks;
}

async function collect(chunks: readonly Buffer[], transform: Transform): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(Readable.from(chunks), transform, async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) out.push(chunk);
  });
  return Buffer.concat(out);
}

function people(count: number, seed: number): Row[] {
  return Array.from({ length: count }, (_, i) => {
    const n = (i * 7919 + seed) % 1_000_000;
    return [
      String(i + 1),
      i % 17 === 0 ? null : `person${n}@example.com`,
      `+1-555-${String(n % 1000).padStart(3, '0')}-${String(n % 10000).padStart(4, '0')}`,
      ['Smith', 'Müller', 'Chen', 'O\\Brien'][i % 4] ?? null,
      i % 5 === 0 ? 'two\nlines\tand a tab' : 'plain',
    ];
  });
}

describe('masking on worker threads', () => {
  let pool: MaskPool;
  let inThreadMasks: ReturnType<typeof compileTableMasks>;

  before(async () => {
    pool = await MaskPool.start({ workers: 2, key: KEY, strategiesModule: undefined, tables: [SPEC] });
    inThreadMasks = compileTableMasks(SPEC, await strategyRegistry({ strategiesModule: undefined }), KEY);
  });
  after(async () => {
    await pool.close();
  });

  it('writes byte for byte what masking on the copying thread writes, whatever the chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40_000 }),
        fc.integer({ min: 1, max: 200_000 }),
        fc.nat(1000),
        async (rows, chunkSize, seed) => {
          const input = encodeRows(people(rows, seed));
          const expected = await collect(cutInto(input, 65_536), createMaskingTransform({ columnCount: 5, masks: inThreadMasks }));
          let counted = 0;
          let bytes = 0;
          const actual = await collect(
            cutInto(input, chunkSize),
            createParallelMaskingTransform({ pool, table: SPEC.table, onRows: (r, b) => ((counted += r), (bytes += b)) }),
          );
          assert.ok(actual.equals(expected), 'outputs differ');
          assert.equal(counted, rows);
          assert.equal(bytes, input.length);
        },
      ),
      { numRuns: 12 },
    );
  });

  it('keeps a row longer than a block whole', async () => {
    const big = 'x'.repeat(700_000);
    const input = encodeRows([
      ['1', 'a@example.com', '+1-555-000-1111', 'Smith', big],
      ['2', 'b@example.com', '+1-555-000-2222', 'Chen', 'short'],
    ]);
    const expected = await collect([input], createMaskingTransform({ columnCount: 5, masks: inThreadMasks }));
    const actual = await collect(cutInto(input, 4096), createParallelMaskingTransform({ pool, table: SPEC.table }));
    assert.ok(actual.equals(expected));
    assert.ok(actual.includes(big));
  });

  it('numbers a malformed row as the copying thread does, across blocks', async () => {
    const rows = people(30_000, 1);
    rows[25_000] = ['25001', 'short@example.com'];
    const input = encodeRows(rows);
    await assert.rejects(
      collect(cutInto(input, 10_000), createParallelMaskingTransform({ pool, table: SPEC.table })),
      /COPY row 25001 has 2 fields, expected 5/,
    );
  });

  it('fails when the stream ends in the middle of a row', async () => {
    const input = Buffer.concat([encodeRows(people(3, 2)), Buffer.from('4\tunterminated')]);
    await assert.rejects(
      collect([input], createParallelMaskingTransform({ pool, table: SPEC.table })),
      /ended in the middle of a row: 14 bytes after row 3/,
    );
  });

  it('fails, not hangs, when the workers stop in the middle of a stream', async () => {
    const doomed = await MaskPool.start({ workers: 1, key: KEY, strategiesModule: undefined, tables: [SPEC] });
    const input = encodeRows(people(200_000, 3));
    let sent = 0;
    const source = new Readable({
      read(): void {
        const chunk = input.subarray(sent, sent + 65_536);
        sent += chunk.length;
        if (sent > input.length / 2) void doomed.close();
        this.push(chunk.length === 0 ? null : chunk);
      },
    });
    const sink = new Writable({ write: (_c: Buffer, _e, callback) => callback() });
    await assert.rejects(
      pipeline(source, createParallelMaskingTransform({ pool: doomed, table: SPEC.table }), sink),
      /masking workers were stopped/,
    );
  });

  it('refuses a table it has no masks for, naming it', async () => {
    await assert.rejects(
      collect([encodeRows(people(2, 4))], createParallelMaskingTransform({ pool, table: 'public.other' })),
      /no masks for public\.other/,
    );
  });
});

describe('errors across the worker boundary', () => {
  it('keep code, next step, site and cause', () => {
    const cause = new AnonymizationError({ table: 't', column: 'c', strategy: 's' }, 'strategy `s` failed on a value of t.c', {
      details: ['Error: <value>'],
      nextStep: 'fix it',
    });
    const original = new MaskRowError(3, 42, 'mask for column 3 failed on COPY row 42: strategy `s` failed', { cause });
    const copy = deserializeError(structuredClone(serializeError(original)));
    assert.ok(copy instanceof MaskRowError);
    assert.equal(copy.row, 42);
    assert.equal(copy.message, original.message);
    assert.ok(copy.cause instanceof AnonymizationError);
    assert.equal(copy.cause.code, 'ANONYMIZATION_FAILED');
    assert.equal(copy.cause.nextStep, 'fix it');
    assert.deepEqual(copy.cause.details, ['Error: <value>']);
    assert.equal(copy.cause.column, 'c');
  });
});
