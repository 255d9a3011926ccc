/**
 * Built-in first and last names: a few hundred each, from many languages, so a
 * masked table looks like real data and its values have realistic lengths and
 * characters (accents included, since applications must cope with them anyway).
 * Masked names are chosen by the keyed PRF: not injective, and not meant to be.
 */
import { readWordList } from '../../../word-list.js';

export const FIRST_NAMES = readWordList(new URL('./first-names.txt', import.meta.url));
export const LAST_NAMES = readWordList(new URL('./last-names.txt', import.meta.url));
