/**
 * Cost of the masking transform against the counting pass-through used for
 * tables with nothing to mask, on an in-memory COPY text stream shaped like
 * users(id bigint, email text, phone text, first_name text, last_name text,
 * ssn text, created_at timestamptz, balance numeric(12,2), bio text).
 *
 *   node --import tsx bench/mask-transform.bench.ts [rows]
 *
 * Cases (a) and (b) use constant masks, so (b) is the transform's own
 * overhead (split, decode, encode, copy). Cases (c) to (e) mask email, phone
 * and last_name with the real strategies: on the copying thread, then on a
 * pool of 1 and 2 worker threads (wall time and the process's CPU time).
 */
import { Readable, type Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { MaskingKey } from '../src/anonymize/key.js';
import { encodeField } from '../src/pg/copy-text.js';
import { type ColumnMask, createCountingPassThrough, createMaskingTransform } from '../src/mask/mask-transform.js';
import { MaskPool } from '../src/mask/mask-pool.js';
import { createParallelMaskingTransform } from '../src/mask/parallel-mask-transform.js';
import { compileTableMasks, strategyRegistry, type MaskTableSpec } from '../src/mask/run-masks.js';
import { prng } from './support/prng.js';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const CHUNK_BYTES = 64 * 1024;
const RUNS = 3;
const COLUMN_COUNT = 9;

const FIRST = ['John', 'Maria', 'Wei', 'Amélie', 'Olusegun', 'Sven', 'Priya', 'José', 'Yuki', 'Fatima'];
const LAST = ['Smith', 'García', 'Chen', 'Dubois', 'Adeyemi', 'Larsson', 'Patel', 'Müller', 'Sato', 'Haddad'];
const WORDS = ['loves', 'hiking', 'coffee', 'and', 'databases', 'café', 'music', 'runs', 'marathons', 'writes', 'code', 'on', 'weekends'];

function buildInput(rows: number): Buffer {
  const random = prng(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const digits = (n: number): string => String(Math.floor(random() * 10 ** n)).padStart(n, '0');
  const parts: Buffer[] = [];
  let batch: string[] = [];
  for (let id = 1; id <= rows; id++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const bioWords = Array.from({ length: 3 + Math.floor(random() * 8) }, () => pick(WORDS));
    // Some bios are NULL and some span lines, so the stream carries `\N` and escapes like real data.
    const bio = random() < 0.1 ? null : random() < 0.1 ? bioWords.join(' ') + '\nP.S. ' + pick(WORDS) : bioWords.join(' ');
    const row = [
      String(id),
      `${first.toLowerCase()}.${last.toLowerCase()}${digits(3)}@example.com`,
      `+1-${digits(3)}-${digits(3)}-${digits(4)}`,
      first,
      last,
      `${digits(3)}-${digits(2)}-${digits(4)}`,
      `2023-${digits(1).replace('0', '1')}-1${digits(1)} 1${digits(1)}:3${digits(1)}:2${digits(1)}.${digits(6)}+00`,
      `${digits(5)}.${digits(2)}`,
      bio,
    ];
    batch.push(row.map(encodeField).join('\t') + '\n');
    if (batch.length === 10_000) {
      parts.push(Buffer.from(batch.join(''), 'utf8'));
      batch = [];
    }
  }
  parts.push(Buffer.from(batch.join(''), 'utf8'));
  return Buffer.concat(parts);
}

function cut(buf: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let p = 0; p < buf.length; p += size) chunks.push(buf.subarray(p, Math.min(p + size, buf.length)));
  return chunks;
}

async function timeOnce(chunks: readonly Buffer[], makeTransform: () => Transform): Promise<number> {
  const sink = new Writable({
    highWaterMark: 256 * 1024,
    write(_chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
      callback();
    },
  });
  const start = process.hrtime.bigint();
  await pipeline(Readable.from(chunks), makeTransform(), sink);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

let lastCpuSeconds = 0;

async function median(chunks: readonly Buffer[], warmUp: readonly Buffer[], makeTransform: () => Transform): Promise<number> {
  // One short warm-up so the first timed run is not paying for JIT compilation.
  await timeOnce(warmUp, makeTransform);
  const times: { wall: number; cpu: number }[] = [];
  for (let i = 0; i < RUNS; i++) {
    const cpu = process.cpuUsage();
    const wall = await timeOnce(chunks, makeTransform);
    const used = process.cpuUsage(cpu);
    times.push({ wall, cpu: (used.user + used.system) / 1e6 });
  }
  times.sort((a, b) => a.wall - b.wall);
  const mid = times[Math.floor(RUNS / 2)] as { wall: number; cpu: number };
  lastCpuSeconds = mid.cpu;
  return mid.wall;
}

const COLUMNS = [
  'id bigint',
  'email text',
  'phone text',
  'first_name text',
  'last_name text',
  'ssn text',
  'created_at timestamptz',
  'balance numeric(12,2)',
  'bio text',
];
const REAL_RULES: MaskTableSpec = {
  table: 'public.users',
  rules: [
    ['email', { strategy: 'email', options: {} }],
    ['phone', { strategy: 'phone', options: {} }],
    ['last_name', { strategy: 'last_name', options: {} }],
  ],
  columns: COLUMNS.map((c) => {
    const [name = '', ...type] = c.split(' ');
    return { name, type: type.join(' ') };
  }),
  primaryKey: ['id'],
  uniqueKeys: [],
};

function report(label: string, seconds: number, bytes: number, rows: number): void {
  const mbps = bytes / 1e6 / seconds;
  const rps = rows / seconds;
  console.log(`${label.padEnd(34)} ${seconds.toFixed(3)} s  ${mbps.toFixed(0).padStart(5)} MB/s  ${(rps / 1e6).toFixed(2)} M rows/s`);
}

async function main(): Promise<void> {
  const input = buildInput(ROWS);
  const chunks = cut(input, CHUNK_BYTES);
  // The warm-up input must end on a row boundary, or the transforms rightly fail.
  const warmUp = cut(input.subarray(0, input.lastIndexOf(0x0a, Math.floor(input.length / 10)) + 1), CHUNK_BYTES);
  console.log(
    `input: ${ROWS.toLocaleString('en-US')} rows, ${(input.length / 1e6).toFixed(1)} MB (${(input.length / ROWS).toFixed(0)} B/row), ` +
      `${chunks.length} chunks of ${CHUNK_BYTES / 1024} KiB; median of ${RUNS} runs; Node ${process.version}`,
  );

  let counted = 0;
  const passThrough = await median(chunks, warmUp, () => createCountingPassThrough((rows) => (counted += rows)));
  if (counted === 0) throw new Error('counting pass-through saw no rows');

  const masks = new Map<number, ColumnMask>([
    [1, () => 'masked@example.invalid'],
    [2, () => '+1-555-000-0000'],
    [4, () => 'Doe'],
  ]);
  const masking = await median(chunks, warmUp, () => createMaskingTransform({ columnCount: COLUMN_COUNT, masks }));

  report('(a) counting pass-through', passThrough, input.length, ROWS);
  report('(b) masking, 3 columns (1, 2, 4)', masking, input.length, ROWS);
  console.log(`ratio b/a: ${(masking / passThrough).toFixed(2)}`);
  console.log(
    `masking overhead: ${(((masking - passThrough) / ROWS) * 1e6).toFixed(3)} µs/row, ${(((masking - passThrough) / (ROWS * masks.size)) * 1e9).toFixed(0)} ns/masked value`,
  );

  const key = new MaskingKey(Buffer.alloc(32, 7));
  const realMasks = compileTableMasks(REAL_RULES, await strategyRegistry({ strategiesModule: undefined }), key);
  const inThread = await median(chunks, warmUp, () => createMaskingTransform({ columnCount: COLUMN_COUNT, masks: realMasks }));
  report('(c) email, phone, last_name', inThread, input.length, ROWS);
  console.log(`    process CPU ${lastCpuSeconds.toFixed(2)} s`);
  for (const workers of [1, 2]) {
    const pool = await MaskPool.start({ workers, key, strategiesModule: undefined, tables: [REAL_RULES] });
    try {
      const pooled = await median(chunks, warmUp, () => createParallelMaskingTransform({ pool, table: REAL_RULES.table }));
      report(`(${workers === 1 ? 'd' : 'e'}) c on ${workers} worker thread${workers === 1 ? '' : 's'}`, pooled, input.length, ROWS);
      console.log(`    process CPU ${lastCpuSeconds.toFixed(2)} s (all threads)`);
    } finally {
      await pool.close();
    }
  }
}

await main();
