/**
 * Turns the text of pgtwin.yaml / pgtwin.toml into plain data plus a way to find
 * where a key path is written, for `file:line:col` in problems. Syntax errors are
 * reported through the Reporter with the parser's own position, but never with the
 * parser's source excerpt: that excerpt could show a password in a URL.
 *
 * Each parser is loaded when a file of its format is read: a run without a
 * config file loads neither, a YAML one not the TOML parser (process start is
 * part of every command's time).
 */

import type { Document } from 'yaml';
import type { LinePosition, Locate, Part, Path } from './problems.js';

export type ConfigFormat = 'yaml' | 'toml';

export interface SyntaxProblem {
  readonly position: LinePosition | undefined;
  readonly message: string;
}

export interface ParsedConfig {
  /** Plain data; undefined when the file could not be parsed at all. */
  readonly data: unknown;
  readonly locate: Locate;
  readonly syntaxProblems: readonly SyntaxProblem[];
}

export function formatOf(file: string): ConfigFormat {
  return file.toLowerCase().endsWith('.toml') ? 'toml' : 'yaml';
}

type Yaml = typeof import('yaml');
type Toml = typeof import('smol-toml');

export async function parseConfigText(text: string, format: ConfigFormat): Promise<ParsedConfig> {
  // A UTF-8 byte order mark is invisible in editors; do not make it a syntax error.
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  return format === 'toml' ? parseTomlText(source, await import('smol-toml')) : parseYamlText(source, await import('yaml'));
}

const noPositions: Locate = () => undefined;

function parseTomlText(text: string, toml: Toml): ParsedConfig {
  try {
    return { data: toml.parse(text), locate: noPositions, syntaxProblems: [] };
  } catch (error) {
    if (error instanceof toml.TomlError) {
      // The message's first line is the description; the rest is a source excerpt.
      const first = (error.message.split('\n')[0] ?? '').replace(/^Invalid TOML document:\s*/, '');
      return {
        data: undefined,
        locate: noPositions,
        syntaxProblems: [{ position: { line: error.line, col: error.column }, message: `TOML syntax: ${first}` }],
      };
    }
    throw error;
  }
}

/** Messages of the yaml package that are worded for its API rather than for a config file. */
const YAML_MESSAGES: Readonly<Partial<Record<string, string>>> = {
  MULTIPLE_DOCS: 'the file holds more than one YAML document (a second `---`); pgtwin reads one',
};

function parseYamlText(text: string, yaml: Yaml): ParsedConfig {
  const lineCounter = new yaml.LineCounter();
  // prettyErrors: false keeps the source excerpt out of error messages.
  const doc = yaml.parseDocument(text, { lineCounter, prettyErrors: false, merge: true });
  const positionAt = (offset: number): LinePosition => lineCounter.linePos(offset);
  const syntaxProblems: SyntaxProblem[] = [...doc.errors, ...doc.warnings].map((error) => ({
    position: positionAt(error.pos[0]),
    message: `YAML syntax: ${YAML_MESSAGES[error.code] ?? error.message}`,
  }));
  const locate: Locate = (path, part) => {
    const offset = findOffset(yaml, doc, path, part);
    return offset === undefined ? undefined : positionAt(offset);
  };
  if (syntaxProblems.length > 0) return { data: undefined, locate, syntaxProblems };
  try {
    // maxAliasCount bounds alias expansion ("billion laughs").
    return { data: doc.toJS({ maxAliasCount: 100 }), locate, syntaxProblems };
  } catch (error) {
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : 'cannot be read';
    return { data: undefined, locate, syntaxProblems: [{ position: undefined, message: `YAML: ${message}` }] };
  }
}

interface Ranged {
  range?: readonly [number, number, number] | null;
}

function startOf(node: unknown): number | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  return (node as Ranged).range?.[0] ?? undefined;
}

/**
 * Offset of the key or value at `path`, following aliases. When the path goes
 * through something not written in the file (a merged `<<` key), the deepest
 * written ancestor is returned instead.
 */
function findOffset(yaml: Yaml, doc: Document, path: Path, part: Part): number | undefined {
  const { isAlias, isMap, isScalar, isSeq } = yaml;
  let node: unknown = doc.contents;
  let best = startOf(node);
  for (const [index, segment] of path.entries()) {
    if (isAlias(node)) node = node.resolve(doc);
    const last = index === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => (isScalar(item.key) ? String(item.key.value) : String(item.key)) === String(segment));
      if (pair === undefined) return best;
      const keyStart = startOf(pair.key);
      if (last && part === 'key') return keyStart ?? best;
      node = pair.value;
      best = startOf(node) ?? keyStart ?? best;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      best = startOf(node) ?? best;
    } else {
      return best;
    }
  }
  return best;
}
