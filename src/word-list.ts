import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PgtwinError } from './errors.js';

/**
 * Reads a word list shipped beside the code: one entry per line, in the order
 * the masking PRF indexes them (reordering a list changes every masked value,
 * so the files are data with a fixed order, not sets). Lists live in files
 * rather than in thousand-line formatted arrays; `npm run build` copies them
 * next to the compiled modules.
 */
export function readWordList(file: URL): readonly string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PgtwinError('INSTALL_INCOMPLETE', 'failure', `the word list ${fileURLToPath(file)} could not be read`, {
      nextStep: 'reinstall pgtwin (npm ci; from a checkout, npm run build copies the word lists into dist/)',
      cause: error,
    });
  }
  const words = text.split('\n');
  if (words.at(-1) === '') words.pop();
  if (words.length === 0 || words.some((w) => w === '' || w !== w.trim())) {
    throw new PgtwinError('INSTALL_INCOMPLETE', 'failure', `the word list ${fileURLToPath(file)} has an empty line or surrounding spaces`, {
      nextStep: 'restore the file from the pgtwin release (one entry per line, no blank lines)',
    });
  }
  return Object.freeze(words);
}
