// `npm run build` step: tsc compiles src/ into dist/src/ but copies no data
// files, so the word lists (src/**/data/*.txt) are copied beside the modules
// that read them through import.meta.url.
import { cpSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
let copied = 0;
for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.txt')) continue;
  const from = join(entry.parentPath, entry.name);
  cpSync(from, join(root, 'dist', 'src', relative(src, from)));
  copied += 1;
}
if (copied === 0) throw new Error('copy-data-files: no word lists found under src/');
