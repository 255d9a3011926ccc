/**
 * `pgtwin scan` output, as text grouped by table and as a JSON document. Only
 * evidence (counts, column names, JSON paths) is shown: the scan output goes
 * into tickets and reviews, so no sampled value may appear in it.
 */
import type { StrategySpec } from '../config/index.js';
import type { ColumnDecision, RuleProposal, ScannedColumn, ScannedTable, ScanResult } from '../scan/index.js';
import { formatCount } from './format.js';

/** Where the findings were written (scan --write), when they were. */
export interface ScanWrite {
  /** As shown: relative to the working directory when inside it. */
  readonly path: string;
  readonly created: boolean;
  readonly rules: number;
  readonly kept: number;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${formatCount(n)} ${n === 1 ? one : many}`;

/** `email`, or `fake {kind: city}`. */
export function formatRule(rule: StrategySpec): string {
  const options = Object.entries(rule.options);
  if (options.length === 0) return rule.strategy;
  return `${rule.strategy} {${options.map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ')}}`;
}

function decisionText(decision: ColumnDecision | undefined, configName: string): string {
  switch (decision?.kind) {
    case 'suggested':
      return `-> ${formatRule(decision.rule)}${decision.reason === undefined ? '' : ` (${decision.reason})`}`;
    case 'configured':
      return `-> already masked by ${configName} (${formatRule(decision.rule)})`;
    case 'kept':
      return `-> listed under keep: in ${configName}; check that it really is harmless`;
    case 'inherited':
      return `-> inherits ${formatRule(decision.rule)} from ${decision.from} (foreign key)`;
    case 'undecided':
      return `-> undecided: ${decision.note}`;
    default:
      return '';
  }
}

/** Columns worth a line: those that look like PII, and those the proposal treats specially. */
function reported(column: ScannedColumn, decision: ColumnDecision | undefined): boolean {
  return column.findings.length > 0 || decision?.kind === 'suggested' || decision?.kind === 'undecided';
}

function sampledText(table: ScannedTable): string {
  if (table.problem !== undefined) return table.problem;
  if (table.sampledRows === undefined) return 'no text columns: judged by column names and types';
  if (table.sampledRows === 0) return 'empty: judged by column names and types';
  return `${plural(table.sampledRows, 'row')} sampled`;
}

export function scanToText(scan: ScanResult, proposal: RuleProposal, configName: string): string {
  const lines = [
    `Scanned ${plural(scan.tables.length, 'table')} of ${scan.source}, up to ${plural(scan.sampleSize, 'row')} each.`,
    'Sampled values are only counted; none is shown or stored.',
    '',
  ];
  let flagged = 0;
  let tablesWithPii = 0;
  for (const table of scan.tables) {
    const decisions = proposal.decisions.get(table.key);
    const rows = table.columns.filter((c) => reported(c, decisions?.get(c.name)));
    flagged += rows.length;
    if (rows.length > 0) tablesWithPii++;
    lines.push(`${table.key}  (${sampledText(table)})`);
    if (rows.length === 0) {
      lines.push(`  nothing looks like personal data (${plural(table.columns.length, 'column')})`, '');
      continue;
    }
    const width = Math.min(32, Math.max(...rows.map((c) => c.name.length)));
    for (const column of rows) {
      const decision = decisions?.get(column.name);
      const top = column.findings[0];
      const what = top === undefined ? 'no finding of its own' : `${top.kind.replace(/_/g, ' ')}, ${top.confidence}`;
      lines.push(`  ${column.name.padEnd(width)}  ${column.type}  ${what}  ${decisionText(decision, configName)}`.trimEnd());
      for (const finding of column.findings) {
        const also = finding === top ? '' : `also ${finding.kind.replace(/_/g, ' ')} (${finding.confidence}): `;
        lines.push(`  ${' '.repeat(width)}  ${also}${finding.evidence.join('; ')}`);
      }
      if (decision?.kind === 'suggested') for (const review of decision.review) lines.push(`  ${' '.repeat(width)}  review: ${review}`);
    }
    const quiet = table.columns.filter((c) => !reported(c, decisions?.get(c.name)) && !c.generated).map((c) => c.name);
    if (quiet.length > 0) lines.push(`  (${plural(quiet.length, 'other column')}: ${quiet.join(', ')})`);
    lines.push('');
  }
  for (const [key, decisions] of proposal.decisions) {
    if (scan.tables.some((t) => t.key === key)) continue;
    for (const [column, decision] of decisions) lines.push(`${key}.${column} (not scanned) ${decisionText(decision, configName)}`);
  }
  for (const warning of scan.warnings) lines.push(`warning: ${warning}`);
  for (const note of proposal.notes) lines.push(`note: ${note}`);
  lines.push(
    flagged === 0
      ? `Nothing in ${plural(scan.tables.length, 'table')} looks like personal data (heuristics can miss things: review the columns anyway).`
      : `${plural(flagged, 'column')} in ${tablesWithPii} of ${plural(scan.tables.length, 'table')} look like personal data.`,
  );
  return lines.join('\n') + '\n';
}

export function writeToText(write: ScanWrite, proposal: RuleProposal, strict: boolean): string {
  const lines: string[] = [];
  if (write.rules === 0 && write.kept === 0) {
    lines.push(
      `${write.path}: nothing to add; every scanned column already has a rule or a keep: entry (or needs your decision, see above).`,
    );
  } else {
    const tables = [...proposal.decisions.values()].filter((d) =>
      [...d.values()].some((c) => c.kind === 'suggested' || c.kind === 'keep'),
    ).length;
    lines.push(
      `${write.created ? 'Created' : 'Updated'} ${write.path}: added ${plural(write.rules, 'rule')} under anonymize: and ${plural(write.kept, 'column')} under keep: (${plural(tables, 'table')}); existing entries were left as they are.`,
    );
    lines.push('Review each added rule (its comment says why it was suggested), then run `pgtwin plan` to check them against the schema.');
  }
  if (!strict)
    lines.push('Tip: add `strict: true` to the file so that a column nobody has reviewed stops the sync instead of being copied.');
  return lines.join('\n') + '\n';
}

export function scanToJson(scan: ScanResult, proposal: RuleProposal, write: ScanWrite | undefined): unknown {
  let flagged = 0;
  const tables = scan.tables.map((table) => {
    const decisions = proposal.decisions.get(table.key);
    const columns = table.columns.map((column) => {
      const decision = decisions?.get(column.name);
      if (reported(column, decision)) flagged++;
      return {
        column: column.name,
        type: column.type,
        findings: column.findings.map((f) => ({ kind: f.kind, confidence: f.confidence, evidence: f.evidence, suggestion: f.suggestion })),
        decision: decision ?? null,
      };
    });
    return {
      table: table.key,
      estimatedRows: table.estimatedRows,
      sampledRows: table.sampledRows ?? null,
      problem: table.problem ?? null,
      columns,
    };
  });
  return {
    source: scan.source,
    sampleSize: scan.sampleSize,
    summary: { tables: scan.tables.length, columns: scan.tables.reduce((n, t) => n + t.columns.length, 0), piiColumns: flagged },
    tables,
    notes: proposal.notes,
    warnings: scan.warnings,
    written: write ?? null,
  };
}
