/**
 * The settings of every session that reads or writes values pgtwin masks,
 * checksums or looks for: one list, rendered for each way a session gets it.
 *
 * Values travel as PostgreSQL's text forms, and a strategy masks that text:
 * the same value printed two ways masks two ways, and a checksum or a leak
 * scan compares text. A role or database default (`ALTER ROLE ... SET
 * DateStyle`, `ALTER DATABASE ... SET bytea_output`) would otherwise change
 * what a session prints, so every session sets each of these itself: the
 * snapshot and the stream print a value alike, the source and the target
 * render equal values as equal text, and dates read back as they were written.
 *
 * Three renderings, for the three kinds of session:
 * - `SET` statements, for the sessions pgtwin opens (src/pg/connect.ts) and
 *   for a caller's session handed to a library function (tableChecksum);
 * - `SET LOCAL`, for a transaction on a caller's session (findLeaks);
 * - the startup `options` string, for the replication connection, which
 *   takes no SET while its exported snapshot is in use.
 */
import type pg from 'pg';
import { quoteLiteral } from './ident.js';

export interface SessionSetting {
  readonly name: string;
  readonly value: string;
  /** Why pgtwin fixes it. */
  readonly why: string;
}

/** How values become text (and bytes): the same in every session pgtwin uses. */
export const TEXT_FORMS: readonly SessionSetting[] = [
  {
    name: 'client_encoding',
    value: 'UTF8',
    why: 'COPY bytes are masked as UTF-8 and compared byte for byte; a role default of LATIN1 would hand over other bytes',
  },
  {
    name: 'DateStyle',
    value: 'ISO, MDY',
    why: 'date strategies parse ISO text (2024-02-29), and the target reads back what was written the same way',
  },
  {
    name: 'TimeZone',
    value: 'UTC',
    why: 'a timestamptz prints in the session zone: one zone makes its masked text the same in every run, and checksums equal across servers',
  },
  {
    name: 'IntervalStyle',
    value: 'postgres',
    why: 'intervals print alike on both sides, for the checksum and the leak scan',
  },
  {
    name: 'extra_float_digits',
    value: '3',
    why: 'real and double precision print every digit (shortest exact), so a copied float loses nothing and checksums compare',
  },
  {
    name: 'bytea_output',
    value: 'hex',
    why: 'bytea prints alike in the snapshot, the stream, the source and the target (escape is a role or database default away)',
  },
];

/** Limits of the sessions pgtwin opens: a COPY of a large table may legitimately run for an hour. */
export const SESSION_LIMITS: readonly SessionSetting[] = [
  { name: 'statement_timeout', value: '0', why: 'a COPY of a large table may run for an hour' },
  {
    name: 'idle_in_transaction_session_timeout',
    value: '0',
    why: 'the snapshot-holding source session waits idle inside its transaction while workers copy',
  },
];

/** Source sessions: every transaction is read-only, whatever a statement tries. */
export const READ_ONLY: SessionSetting = {
  name: 'default_transaction_read_only',
  value: 'on',
  why: 'pgtwin never writes to the source',
};

/**
 * Target sessions that write the twin's rows: its own triggers and rules stay
 * quiet (src/pg/replica-session.ts). Not a text form: setting it needs a
 * privilege the role may lack, so it is set on its own where that is handled.
 */
export const REPLICA_ROLE: SessionSetting = {
  name: 'session_replication_role',
  value: 'replica',
  why: "the twin's own triggers and rules must not rewrite the rows pgtwin writes",
};

export type SettingScope = 'session' | 'transaction';

/** `SET name = 'value'` statements (`SET LOCAL` for a transaction), one string for one round trip. */
export function setSql(settings: readonly SessionSetting[], scope: SettingScope = 'session'): string {
  const set = scope === 'transaction' ? 'SET LOCAL' : 'SET';
  return settings.map((s) => `${set} ${s.name} = ${quoteLiteral(s.value)}`).join('; ');
}

/**
 * The startup packet's `options` (`-c name=value ...`). PostgreSQL splits it
 * at white space; a backslash keeps the next character (a space, a backslash)
 * in the value.
 */
export function startupOptions(settings: readonly SessionSetting[]): string {
  const escape = (text: string): string => text.replace(/[\\\s]/g, (c) => `\\${c}`);
  return settings.map((s) => `-c ${escape(s.name)}=${escape(s.value)}`).join(' ');
}

export interface SessionRole {
  /** Source sessions: default_transaction_read_only. */
  readonly readOnly: boolean;
  /** Target sessions that write the twin's rows: session_replication_role = replica. */
  readonly replicaRole?: boolean | undefined;
}

/** Configures a session pgtwin opened: text forms, limits and role, in one round trip. */
export async function configureSession(client: pg.Client, role: SessionRole): Promise<void> {
  const settings = [...TEXT_FORMS, ...SESSION_LIMITS];
  if (role.readOnly) settings.push(READ_ONLY);
  if (role.replicaRole === true) settings.push(REPLICA_ROLE);
  await client.query(setSql(settings));
}

/** Sets the text forms on a session pgtwin did not open (a library caller's), for the session or the current transaction. */
export async function useTextForms(client: pg.Client, scope: SettingScope): Promise<void> {
  await client.query(setSql(TEXT_FORMS, scope));
}
