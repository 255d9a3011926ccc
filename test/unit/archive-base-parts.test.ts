/** Base parts: COPY text cut only at row ends, bounded in size, nothing lost or reordered, each part's rows and checksum right. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { BasePartsWriter } from '../../src/archive/base-parts.js';
import type { ArchiveStore, SpoolFile } from '../../src/store/store.js';

/** A store that keeps what is put in memory (the spool files are removed after each put). */
function memoryStore(): ArchiveStore & { readonly files: Map<string, Buffer> } {
  const files = new Map<string, Buffer>();
  return {
    files,
    display: 'memory',
    list: async () => [...files].map(([name, b]) => ({ name, size: b.length })),
    read: async (name) => Readable.from([files.get(name) ?? Buffer.alloc(0)]),
    exists: async (name) => files.has(name),
    put: async (name: string, file: SpoolFile) => void files.set(name, await readFile(file.path)),
    remove: async (name) => void files.delete(name),
    close: async () => undefined,
  };
}

describe('base parts', () => {
  it('cuts COPY text at row ends into bounded parts, whatever the chunking', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pgtwin-parts-'));
    try {
      // Rows of varied length, with escaped newlines inside values (`\\n`, two characters), in chunks that split rows anywhere.
      const rows = Array.from({ length: 2000 }, (_, i) => `${i}\tvalue ${'x'.repeat(i % 97)}\\nsecond line\t\\N\n`);
      const text = Buffer.from(rows.join(''));
      const chunks: Buffer[] = [];
      for (let at = 0, size = 1; at < text.length; at += size, size = (size * 7 + 3) % 5000) chunks.push(text.subarray(at, at + size));
      const store = memoryStore();
      const writer = new BasePartsWriter({
        store,
        spoolDir: dir,
        nameOf: (n) => `part-${String(n).padStart(3, '0')}`,
        maxPartBytes: 16 * 1024,
      });
      await pipeline(Readable.from(chunks), writer);
      const parts = writer.parts;
      assert.ok(parts.length > 5, `${parts.length} parts`);
      let joined = '';
      for (const part of parts) {
        const stored = store.files.get(part.name) ?? Buffer.alloc(0);
        assert.equal(part.size, stored.length);
        assert.equal(part.sha256, createHash('sha256').update(stored).digest('hex'));
        const content = gunzipSync(stored).toString();
        assert.equal(part.bytes, Buffer.byteLength(content));
        assert.ok(content.endsWith('\n'), 'a part ends at a row end');
        assert.equal(part.rows, content.split('\n').length - 1);
        // Bounded: at most the limit plus the row that crosses it.
        assert.ok(part.bytes <= 16 * 1024 + 200, `${part.bytes} bytes`);
        joined += content;
      }
      assert.equal(joined, text.toString());
      assert.equal(
        parts.reduce((n, p) => n + p.rows, 0),
        2000,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
