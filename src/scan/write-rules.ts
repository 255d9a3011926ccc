/**
 * Adds suggested rules and `keep:` entries to the text of a pgtwin.yaml
 * without disturbing what is there: the file is edited as a YAML document
 * (comments, key order, quoting and flow style survive), entries are only ever
 * added, and a column that already has an entry is left alone. Pure text in,
 * text out; reading and writing the file is write-config.ts's job.
 */
import { isAlias, isMap, isScalar, isSeq, parseDocument, Scalar, YAMLMap, YAMLSeq, type Document, type Node, type Pair } from 'yaml';
import { UsageError } from '../errors.js';
import type { RuleAddition } from './propose.js';

export interface RuleAdditions {
  /** `anonymize:` key -> rules. */
  readonly anonymize: ReadonlyMap<string, readonly RuleAddition[]>;
  /** `keep:` key -> columns. */
  readonly keep: ReadonlyMap<string, readonly string[]>;
}

export interface WrittenRules {
  readonly text: string;
  /** Rules actually added (an existing entry for the column wins). */
  readonly rules: number;
  /** `keep:` columns actually added. */
  readonly kept: number;
}

const ANONYMIZE_COMMENT =
  ' Masking rules suggested by `pgtwin scan`: review each one (the comment says why it was\n suggested); `pgtwin plan` checks them against the schema. See docs/strategies.md.';
const KEEP_COMMENT =
  ' Columns `pgtwin scan` found no personal data in, copied as they are. Heuristics miss\n things: read the list before the first sync.';

/** `text` with the additions merged in; `text` undefined or empty starts a new document. */
export function addRulesToYaml(text: string | undefined, additions: RuleAdditions): WrittenRules {
  const source = text ?? '';
  // Typed as a plain Document: nodes added below are not "parsed" nodes.
  const doc: Document = parseDocument(source, { prettyErrors: false });
  if (doc.errors.length > 0) {
    throw notEditable('it is not valid YAML', 'Fix the syntax (`pgtwin plan` shows where), then run the command again.');
  }
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) doc.contents = new YAMLMap();
  const top = doc.contents;
  if (!isMap(top)) throw notEditable('its top level is not a mapping', 'Add the rules by hand.');

  let rules = 0;
  if (additions.anonymize.size > 0) {
    const section = sectionMap(doc, top, ['anonymize', 'anonymization'], ANONYMIZE_COMMENT);
    for (const [table, list] of additions.anonymize) rules += addRules(doc, section, table, list);
  }
  let kept = 0;
  if (additions.keep.size > 0) {
    const section = sectionMap(doc, top, ['keep'], KEEP_COMMENT);
    for (const [table, columns] of additions.keep) kept += addKept(doc, section, table, columns);
  }
  // Re-rendering normalises some spacing; a file that gains nothing stays byte for byte.
  if (rules === 0 && kept === 0) return { text: source, rules, kept };
  // lineWidth 0: never fold the user's long strings (a `where` filter) onto new lines.
  const out = doc.toString({ indent: indentOf(source), lineWidth: 0, flowCollectionPadding: paddedFlow(source) });
  return { text: out, rules, kept };
}

function notEditable(why: string, nextStep: string): UsageError {
  return new UsageError('CONFIG_NOT_EDITABLE', `The config file cannot be edited automatically: ${why}.`, { nextStep });
}

function keyText(pair: Pair): string | undefined {
  if (isScalar(pair.key)) return String(pair.key.value);
  return typeof pair.key === 'string' ? pair.key : undefined;
}

function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((pair) => keyText(pair) === key);
}

/** The mapping of a top-level section (the first of `names` present, or a new one under names[0]). */
function sectionMap(doc: Document, top: YAMLMap, names: readonly string[], comment: string): YAMLMap {
  const pair = names.map((name) => findPair(top, name)).find((p) => p !== undefined);
  if (pair === undefined) {
    const key = new Scalar(names[0]);
    key.commentBefore = comment;
    key.spaceBefore = top.items.length > 0;
    const map = new YAMLMap();
    top.add(doc.createPair(key, map));
    return map;
  }
  return mapValue(pair, `\`${keyText(pair)}:\``);
}

/** The pair's value as a mapping; an empty value becomes one. */
function mapValue(pair: Pair, where: string): YAMLMap {
  const value = pair.value;
  if (value === null || (isScalar(value) && value.value === null)) {
    const map = new YAMLMap();
    pair.value = map;
    return map;
  }
  if (isMap(value)) {
    // An empty `{}` would otherwise stay on one line with everything added to it.
    if (value.items.length === 0) value.flow = false;
    return value;
  }
  if (isAlias(value)) throw notEditable(`${where} is an alias (*name)`, `Add the entries under ${where} by hand.`);
  throw notEditable(`${where} is not a mapping`, `Make ${where} a mapping, or add the entries by hand.`);
}

function ruleNode(doc: Document, rule: RuleAddition['rule']): Node {
  if (Object.keys(rule.options).length === 0) return new Scalar(rule.strategy);
  const node = doc.createNode({ strategy: rule.strategy, ...rule.options }) as Node & { flow?: boolean };
  node.flow = true;
  return node;
}

function addRules(doc: Document, section: YAMLMap, table: string, list: readonly RuleAddition[]): number {
  let pair = findPair(section, table);
  if (pair === undefined) {
    pair = doc.createPair(new Scalar(table), new YAMLMap());
    section.add(pair);
  }
  const value = pair.value;
  // Confiture's list form: [{column, strategy, ...options}].
  if (isSeq(value)) {
    const present = new Set(
      value.items.flatMap((item) => (isMap(item) && isScalar(item.get('column', true)) ? [String(item.get('column'))] : [])),
    );
    let added = 0;
    for (const rule of list) {
      if (present.has(rule.column)) continue;
      const item = doc.createNode({ column: rule.column, strategy: rule.rule.strategy, ...rule.rule.options }) as YAMLMap;
      item.flow = true;
      item.commentBefore = ` ${rule.comment}`;
      value.add(item);
      added++;
    }
    return added;
  }
  const map = mapValue(pair, `anonymize.${table}`);
  let added = 0;
  for (const rule of list) {
    if (findPair(map, rule.column) !== undefined) continue;
    const key = new Scalar(rule.column);
    key.commentBefore = ` ${rule.comment}`;
    map.add(doc.createPair(key, ruleNode(doc, rule.rule)));
    added++;
  }
  return added;
}

function addKept(doc: Document, section: YAMLMap, table: string, columns: readonly string[]): number {
  const pair = findPair(section, table);
  if (pair === undefined) {
    const seq = doc.createNode([...columns]) as YAMLSeq;
    seq.flow = true;
    section.add(doc.createPair(new Scalar(table), seq));
    return columns.length;
  }
  let seq = pair.value;
  if (seq === null || (isScalar(seq) && seq.value === null)) {
    seq = new YAMLSeq();
    (seq as YAMLSeq).flow = true;
    pair.value = seq;
  }
  if (!isSeq(seq)) throw notEditable(`keep.${table} is not a list`, `Make keep.${table} a list of columns, or add the entries by hand.`);
  const present = new Set(seq.items.map((item) => (isScalar(item) ? String(item.value) : '')));
  let added = 0;
  for (const column of columns) {
    if (present.has(column)) continue;
    seq.add(new Scalar(column));
    added++;
  }
  return added;
}

/** The file's own indentation step (the smallest indent of a content line), so edited files keep their look. */
function indentOf(text: string): number {
  let smallest: number | undefined;
  for (const line of text.split('\n')) {
    const match = /^( +)[^\s#-]/.exec(line);
    const width = match?.[1]?.length;
    if (width !== undefined && (smallest === undefined || width < smallest)) smallest = width;
  }
  return smallest === undefined ? 2 : Math.min(8, Math.max(2, smallest));
}

/** `[ a, b ]` or `[a, b]`: whichever the file uses more (padded when it has none). */
function paddedFlow(text: string): boolean {
  // `${VAR}` references are not flow collections.
  const padded = text.match(/(?<!\$)[[{] \S/g)?.length ?? 0;
  const tight = text.match(/(?<!\$)[[{][^\s\]}]/g)?.length ?? 0;
  return padded >= tight;
}
