import assert from 'node:assert/strict';
import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { encodeField } from '../../src/pg/copy-text.js';
import { type ColumnMask, createCountingPassThrough, createMaskingTransform, type MaskingSpec } from '../../src/mask/mask-transform.js';

type Row = ReadonlyArray<string | null>;

function encodeRows(rows: readonly Row[]): Buffer {
  return Buffer.from(rows.map((row) => row.map(encodeField).join('\t') + '\n').join(''), 'utf8');
}

function cutAt(buf: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.filter((c) => c > 0 && c < buf.length))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of [...points, buf.length]) {
    if (point > start) chunks.push(buf.subarray(start, point));
    start = point;
  }
  return chunks;
}

function oneByteChunks(buf: Buffer): Buffer[] {
  return Array.from({ length: buf.length }, (_, i) => buf.subarray(i, i + 1));
}

/**
 * Runs chunks through the transform and returns the buffers it pushed, one entry
 * per push (the consumer side would merge buffered pushes, hiding batching).
 */
async function run(transform: Transform, chunks: readonly Buffer[]): Promise<Buffer[]> {
  const pushed: Buffer[] = [];
  const push = transform.push.bind(transform);
  transform.push = (chunk: Buffer | null, encoding?: BufferEncoding): boolean => {
    if (chunk !== null) pushed.push(chunk);
    return push(chunk, encoding);
  };
  const received: Buffer[] = [];
  await pipeline(Readable.from(chunks), transform, async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) received.push(chunk);
  });
  assert.ok(Buffer.concat(received).equals(Buffer.concat(pushed)));
  return pushed;
}

async function mask(spec: MaskingSpec, chunks: readonly Buffer[]): Promise<Buffer> {
  return Buffer.concat(await run(createMaskingTransform(spec), chunks));
}

const copyValue: fc.Arbitrary<string | null> = fc.option(
  fc.string({
    unit: fc.oneof(
      fc.constantFrom('\t', '\n', '\r', '\\', '\b', 'N', 'é', '€', '😀', '日'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    ),
    maxLength: 12,
  }),
  { freq: 5 },
);

interface Case {
  columnCount: number;
  rows: Row[];
  masked: number[];
  input: Buffer;
  chunks: Buffer[];
}

/** A random table, its COPY text, and that text cut at random places (sometimes into single bytes). */
const tableCase: fc.Arbitrary<Case> = fc
  .integer({ min: 1, max: 5 })
  .chain((columnCount) =>
    fc.record({
      columnCount: fc.constant(columnCount),
      rows: fc.array(fc.array(copyValue, { minLength: columnCount, maxLength: columnCount }), { maxLength: 12 }),
      masked: fc.subarray(Array.from({ length: columnCount }, (_, i) => i)),
      cuts: fc.oneof(
        { weight: 4, arbitrary: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }) },
        { weight: 1, arbitrary: fc.constant(null) },
      ),
    }),
  )
  .map(({ columnCount, rows, masked, cuts }) => {
    const input = encodeRows(rows);
    const chunks =
      cuts === null
        ? oneByteChunks(input)
        : cutAt(
            input,
            cuts.map((c) => Math.floor(c * input.length)),
          );
    return { columnCount, rows, masked, input, chunks };
  });

function masksFor(columns: readonly number[], fn: (column: number) => ColumnMask): Map<number, ColumnMask> {
  return new Map(columns.map((column) => [column, fn(column)]));
}

const reverse = (s: string): string => [...s].reverse().join('');

/** A mask per column that visibly changes values, including NULL handling both ways. */
function changingMask(column: number): (value: string | null) => string | null {
  switch (column % 3) {
    case 0:
      return (v) => (v === null ? null : v.toUpperCase());
    case 1:
      return (v) => (v === null ? 'was\tnull\\N' : reverse(v) + '\n');
    default:
      return (v) => (v === null ? '' : null);
  }
}

describe('createMaskingTransform', () => {
  it('with identity masks, outputs the input byte for byte, at any chunk boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(tableCase, async ({ columnCount, masked, input, chunks }) => {
        const output = await mask({ columnCount, masks: masksFor(masked, () => (v) => v) }, chunks);
        assert.ok(output.equals(input));
      }),
      { numRuns: 300 },
    );
  });

  it('outputs exactly the encoding of the masked rows', async () => {
    await fc.assert(
      fc.asyncProperty(tableCase, async ({ columnCount, rows, masked, chunks }) => {
        const output = await mask({ columnCount, masks: masksFor(masked, changingMask) }, chunks);
        const expected = rows.map((row) => row.map((v, i) => (masked.includes(i) ? changingMask(i)(v) : v)));
        assert.equal(output.toString('utf8'), encodeRows(expected).toString('utf8'));
        assert.ok(output.equals(encodeRows(expected)));
      }),
      { numRuns: 300 },
    );
  });

  it('calls masks only for masked columns, in column order, with the source values', async () => {
    await fc.assert(
      fc.asyncProperty(tableCase, async ({ columnCount, rows, masked, chunks }) => {
        const calls: Array<[number, string | null]> = [];
        const masks = masksFor(masked, (column) => (v) => {
          calls.push([column, v]);
          return 'x';
        });
        await mask({ columnCount, masks }, chunks);
        const expected = rows.flatMap((row) => [...masked].sort((a, b) => a - b).map((c): [number, string | null] => [c, row[c] ?? null]));
        assert.deepEqual(calls, expected);
      }),
      { numRuns: 200 },
    );
  });

  it('gives masks a RowView that reads every column of the current row', async () => {
    await fc.assert(
      fc.asyncProperty(tableCase, async ({ columnCount, rows, masked, chunks }) => {
        fc.pre(masked.length > 0);
        const seen: Array<Array<string | null>> = [];
        const first = Math.min(...masked);
        const masks = masksFor(masked, (column) => (v, row) => {
          // Read backwards so the view has to split further than the masked column.
          if (column === first) seen.push(Array.from({ length: columnCount }, (_, j) => row.field(columnCount - 1 - j)).reverse());
          return v === null ? 'n' : v + '!';
        });
        await mask({ columnCount, masks }, chunks);
        assert.deepEqual(seen, rows);
      }),
      { numRuns: 200 },
    );
  });

  it('reports every row and byte through onRows, once per input chunk', async () => {
    await fc.assert(
      fc.asyncProperty(tableCase, async ({ columnCount, rows, masked, input, chunks }) => {
        const reports: Array<[number, number]> = [];
        await mask({ columnCount, masks: masksFor(masked, changingMask), onRows: (r, b) => reports.push([r, b]) }, chunks);
        assert.equal(reports.length, chunks.length);
        assert.equal(
          reports.reduce((n, [r]) => n + r, 0),
          rows.length,
        );
        assert.equal(
          reports.reduce((n, [, b]) => n + b, 0),
          input.length,
        );
      }),
      { numRuns: 200 },
    );
  });

  it('decodes masked values whose UTF-8 characters and escapes are split across chunks', async () => {
    const rows: Row[] = [
      ['1', 'café', 'x'],
      ['2', '日本\t語\\', null],
      ['3', null, '😀'],
    ];
    const input = encodeRows(rows);
    const output = await mask(
      { columnCount: 3, masks: new Map([[1, (v: string | null) => (v === null ? null : reverse(v))]]) },
      oneByteChunks(input),
    );
    assert.equal(
      output.toString('utf8'),
      encodeRows([
        ['1', 'éfac', 'x'],
        ['2', '\\語\t本日', null],
        ['3', null, '😀'],
      ]).toString('utf8'),
    );
  });

  it('decodes octal and hex escapes in masked fields', async () => {
    const input = Buffer.from('caf\\303\\251\t\\x41\\x42\n', 'utf8');
    const seen: Array<string | null> = [];
    const record: ColumnMask = (v) => {
      seen.push(v);
      return v;
    };
    const output = await mask(
      {
        columnCount: 2,
        masks: new Map([
          [0, record],
          [1, record],
        ]),
      },
      cutAt(input, [4, 9]),
    );
    assert.deepEqual(seen, ['café', 'AB']);
    // Unchanged values keep their original bytes, escapes included.
    assert.ok(output.equals(input));
  });

  it('carries a row that spans many chunks', async () => {
    const long = 'é'.repeat(5000);
    const rows: Row[] = [
      ['a', long, 'b'],
      ['c', 'd', 'e'],
    ];
    const input = encodeRows(rows);
    const output = await mask(
      { columnCount: 3, masks: new Map([[1, (v: string | null) => (v === null ? null : String(v.length))]]) },
      cutAt(
        input,
        Array.from({ length: 40 }, (_, i) => i * 257 + 1),
      ),
    );
    assert.equal(output.toString('utf8'), 'a\t5000\tb\nc\t1\te\n');
  });

  it('pushes once per input chunk, not once per row', async () => {
    const rows: Row[] = Array.from({ length: 300 }, (_, i) => [String(i), `user${i}@example.com`, 'x']);
    const input = encodeRows(rows);
    const chunks = cutAt(input, [input.length / 3, (2 * input.length) / 3].map(Math.floor));
    const pushes = await run(createMaskingTransform({ columnCount: 3, masks: new Map([[1, () => 'masked@example.com']]) }), chunks);
    assert.equal(pushes.length, 3);
  });

  it('passes rows through when nothing is masked, and handles empty input', async () => {
    const input = encodeRows([
      ['a', null],
      ['\\N', ''],
    ]);
    assert.ok((await mask({ columnCount: 2, masks: new Map() }, cutAt(input, [3]))).equals(input));
    assert.equal((await mask({ columnCount: 2, masks: new Map([[0, () => 'x']]) }, [])).length, 0);
  });

  it('rejects a short row, naming the row and how many fields it has', async () => {
    const input = Buffer.from('a\tb\tc\nd\te\n');
    await assert.rejects(mask({ columnCount: 3, masks: new Map([[2, (v) => v]]) }, [input]), {
      message: 'COPY row 2 has 2 fields, expected 3',
    });
    await assert.rejects(mask({ columnCount: 3, masks: new Map([[1, (v) => v]]) }, [Buffer.from('x\n')]), {
      message: 'COPY row 1 has 1 field, expected 3',
    });
  });

  it('rejects a row with extra fields when the last column is masked', async () => {
    await assert.rejects(mask({ columnCount: 2, masks: new Map([[1, (v) => v]]) }, [Buffer.from('a\tb\nc\td\te\n')]), {
      message: 'COPY row 2 has 3 fields, expected 2',
    });
  });

  it('fails with the mask error as cause, naming the column and row', async () => {
    const boom = new Error('boom');
    const masks = new Map<number, ColumnMask>([
      [
        1,
        (v) => {
          if (v === 'bad') throw boom;
          return v;
        },
      ],
    ]);
    const input = Buffer.from('1\tok\n2\tbad\n');
    await assert.rejects(mask({ columnCount: 2, masks }, cutAt(input, [7])), (err: unknown) => {
      assert.ok(err instanceof Error);
      assert.equal(err.message, 'mask for column 1 failed on COPY row 2: boom');
      assert.equal(err.cause, boom);
      return true;
    });
  });

  it('fails when a mask reads a column that does not exist', async () => {
    const masks = new Map<number, ColumnMask>([[0, (_v, row) => row.field(2)]]);
    await assert.rejects(
      mask({ columnCount: 2, masks }, [Buffer.from('a\tb\n')]),
      /column 0 failed on COPY row 1: column index 2 is out of range/,
    );
  });

  it('fails when a mask returns something other than a string or null', async () => {
    const masks = new Map([[0, (() => undefined) as unknown as ColumnMask]]);
    await assert.rejects(mask({ columnCount: 1, masks }, [Buffer.from('a\n')]), /returned undefined on COPY row 1/);
  });

  it('fails when the stream ends in the middle of a row', async () => {
    await assert.rejects(
      mask({ columnCount: 2, masks: new Map([[0, (v) => v]]) }, [Buffer.from('a\tb\nc'), Buffer.from('\td')]),
      /COPY stream ended in the middle of a row/,
    );
  });

  it('refuses a mask for a column the table does not have', () => {
    assert.throws(() => createMaskingTransform({ columnCount: 2, masks: new Map([[2, (v) => v]]) }), /out of range/);
    assert.throws(() => createMaskingTransform({ columnCount: 0, masks: new Map() }), /positive integer/);
  });
});

describe('createCountingPassThrough', () => {
  it('passes the same chunks through and counts every row and byte', async () => {
    await fc.assert(
      fc.asyncProperty(tableCase, async ({ rows, input, chunks }) => {
        let rowTotal = 0;
        let byteTotal = 0;
        const out = await run(
          createCountingPassThrough((r, b) => {
            rowTotal += r;
            byteTotal += b;
          }),
          chunks,
        );
        assert.equal(out.length, chunks.length);
        out.forEach((chunk, i) => assert.equal(chunk, chunks[i]));
        assert.equal(rowTotal, rows.length);
        assert.equal(byteTotal, input.length);
      }),
      { numRuns: 100 },
    );
  });

  it('fails when the stream ends in the middle of a row', async () => {
    await assert.rejects(
      run(
        createCountingPassThrough(() => {}),
        [Buffer.from('a\n'), Buffer.from('b')],
      ),
      /ended in the middle of a row/,
    );
  });
});
