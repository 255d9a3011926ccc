/**
 * `template`: builds the value from other columns of the row, e.g.
 * `"user{{id}}@test.local"`. A referenced column that is masked itself is read
 * MASKED (see RowReader), so a template cannot copy source PII around; NULL
 * reads as the empty string. It is injective when it reads exactly one column
 * that is unique by itself, NOT NULL and unmasked (an id).
 */
import { didYouMeanSuffix } from '../../did-you-mean.js';
import { defineBuiltinStrategy } from '../strategy.js';

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

interface Parsed {
  readonly literals: readonly string[];
  readonly columns: readonly string[];
}

function parseTemplate(template: string): Parsed {
  const literals: string[] = [];
  const columns: string[] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    literals.push(template.slice(last, match.index));
    columns.push(match[1] ?? '');
    last = match.index + match[0].length;
  }
  literals.push(template.slice(last));
  return { literals, columns };
}

export const template = defineBuiltinStrategy({
  name: 'template',
  summary: 'builds the value from other columns: `user{{id}}@test.local` (masked columns read masked)',
  acceptsTypes: ['text'],
  options: (o) => ({ template: o.requiredString('template') }),
  injective: (options, ctx) => {
    const { columns } = parseTemplate(options.template);
    if (columns.length !== 1) return false;
    const facts = ctx.columns.find((c) => c.name === columns[0]);
    return facts !== undefined && facts.uniqueAlone && facts.notNull && !ctx.maskedColumns.has(facts.name);
  },
  reads: (options) => parseTemplate(options.template).columns,
  validateOptions: (options, ctx) => {
    const problems: string[] = [];
    const names = ctx.columns.map((c) => c.name);
    for (const column of parseTemplate(options.template).columns) {
      if (column === ctx.column.name) problems.push(`the template reads its own column \`{{${column}}}\``);
      else if (!names.includes(column))
        problems.push(`the template reads \`{{${column}}}\`, which is not a column of ${ctx.table}${didYouMeanSuffix(column, names)}`);
    }
    if (/\{\{|\}\}/.test(options.template.replace(PLACEHOLDER, ''))) problems.push('the template has an unbalanced `{{` or `}}`');
    return problems;
  },
  create: ({ options }) => {
    const { literals, columns } = parseTemplate(options.template);
    return (_value, row) => {
      let text = literals[0] as string;
      for (let i = 0; i < columns.length; i++) text += (row.get(columns[i] as string) ?? '') + (literals[i + 1] as string);
      return text;
    };
  },
});
