/** Reading a directory archive back in tests: every file decompressed, and the change records in order. */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { constants, gunzipSync } from 'node:zlib';
import { decodeRecord, type ChangeRecord } from '../../src/archive/change-records.js';

/** Every file of the archive (temporary names included, unless renamed away while listed) as text, gzip ones decompressed, by relative path. */
export async function archiveTexts(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (at: string): Promise<void> => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) await walk(path);
      else {
        // A capture running meanwhile renames its temporary file away between the listing and the read.
        const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) =>
          error.code === 'ENOENT' ? undefined : Promise.reject(error),
        );
        if (bytes === undefined) continue;
        out.set(relative(dir, path), decompressed(bytes, entry.name));
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

/** A temporary file still being written (or left by a killed capture) is cut short: what it holds so far is read. */
function decompressed(bytes: Buffer, name: string): string {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes.toString('utf8');
  try {
    return gunzipSync(bytes).toString('utf8');
  } catch (error) {
    if (!/\.tmp-/.test(name)) throw error;
    return gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
  }
}
