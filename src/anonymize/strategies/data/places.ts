/**
 * Built-in lists for `fake` kinds other than names: plausible, clearly generic
 * values. Street numbers and postcodes are drawn from the PRF, not listed.
 */
import { readWordList } from '../../../word-list.js';

const list = (name: string): readonly string[] => readWordList(new URL(`./${name}.txt`, import.meta.url));

export const CITIES = list('cities');
export const STREET_NAMES = list('street-names');
export const STREET_SUFFIXES = list('street-suffixes');
export const COMPANY_WORDS = list('company-words');
export const COMPANY_SUFFIXES = list('company-suffixes');
export const COUNTRIES = list('countries');
export const LOREM_WORDS = list('lorem-words');
