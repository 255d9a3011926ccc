/**
 * A few rows of production and of the twin, field by field, so the reader sees
 * what the twin holds. Once masking is in the pipeline, this is where the
 * difference shows.
 */
import type pg from 'pg';

interface Sample {
  readonly label: string;
  readonly sql: string;
}

const SAMPLES: readonly Sample[] = [
  {
    label: 'customers',
    sql: `SELECT id, first_name, last_name, email, phone, birth_date::text AS birth_date, host(signup_ip) AS signup_ip
          FROM customers ORDER BY id LIMIT 2`,
  },
  { label: 'addresses', sql: `SELECT id, line1, city, postal_code FROM addresses ORDER BY id LIMIT 1` },
  {
    label: 'payments',
    sql: `SELECT id, card_number, card_holder, card_expiry, host(client_ip) AS client_ip FROM payments WHERE method = 'card' ORDER BY id LIMIT 1`,
  },
  { label: 'support_tickets', sql: `SELECT id, left(body, 70) AS body FROM support_tickets ORDER BY id LIMIT 1` },
];

export async function sideBySide(production: pg.Client, twin: pg.Client): Promise<string> {
  const lines: Array<[string, string, string]> = [['field', 'production', 'twin']];
  for (const sample of SAMPLES) {
    const [source, target] = await Promise.all([
      production.query<Record<string, unknown>>(sample.sql),
      twin.query<Record<string, unknown>>(sample.sql),
    ]);
    source.rows.forEach((row, index) => {
      const id = String(row['id']);
      const twinRow = target.rows[index];
      for (const [column, value] of Object.entries(row)) {
        if (column === 'id') continue;
        lines.push([`${sample.label}#${id}.${column}`, shown(value), shown(twinRow?.[column])]);
      }
    });
  }
  const width = (i: 0 | 1 | 2): number => Math.min(44, Math.max(...lines.map((l) => l[i].length)));
  return lines.map(([field, a, b]) => `  ${fit(field, width(0))}  ${fit(a, width(1))}  ${fit(b, width(2))}`.trimEnd()).join('\n') + '\n';
}

function shown(value: unknown): string {
  if (value === null || value === undefined) return '(null)';
  return String(value).replace(/\s+/g, ' ');
}

function fit(text: string, width: number): string {
  return text.length > width ? text.slice(0, width - 1) + '…' : text.padEnd(width);
}
