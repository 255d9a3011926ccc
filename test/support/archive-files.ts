/** Reading a directory archive back in tests: every file decompressed, and the change records in order. */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decodeRecord, type ChangeRecord } from '../../src/archive/change-records.js';

/** Every file of the archive (temporary names included) as text, gzip ones decompressed, by relative path. */
export async function archiveTexts(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (at: string): Promise<void> => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) await walk(path);
      else {
        const bytes = await readFile(path);
        out.set(relative(dir, path), (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8'));
      }
    }
  };
  await walk(dir);
  return out;
}

/** The change records of every change file, in file order. */
export async function changeRecords(dir: string): Promise<{ file: string; record: ChangeRecord }[]> {
  const texts = await archiveTexts(dir);
  const files = [...texts.keys()].filter((name) => name.startsWith('changes/') && name.endsWith('.jsonl.gz')).sort();
  return files.flatMap((file) =>
    (texts.get(file) ?? '')
      .split('\n')
      .filter((line) => line !== '')
      .map((line, i) => ({ file, record: decodeRecord(line, `${file}:${i + 1}`) })),
  );
}
