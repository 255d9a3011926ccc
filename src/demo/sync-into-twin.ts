/**
 * The demo's sync step, kept apart so it can be swapped for the full pipeline:
 * today the twin's schema is the demo's own DDL and the copy is runSync with
 * no masking; pgtwin's own schema creation (src/schema/) and the masking rules
 * replace both here.
 */
import pg from 'pg';
import { DEFAULT_BATCH_SIZE } from '../config/loader.js';
import type { Settings } from '../config/settings.js';
import type { SyncObserver } from '../snapshot/observer.js';
import type { SyncReport } from '../snapshot/sync-report.js';
import { runSync } from '../snapshot/sync.js';
import { DEMO_DDL } from './schema.js';

export interface TwinSyncOptions {
  readonly signal?: AbortSignal | undefined;
  readonly observer?: SyncObserver | undefined;
}

export async function syncIntoTwin(sourceUrl: string, targetUrl: string, options: TwinSyncOptions = {}): Promise<SyncReport> {
  const client = new pg.Client({ connectionString: targetUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(DEMO_DDL);
  } finally {
    await client.end().catch(() => undefined);
  }
  return runSync({
    settings: demoSettings(sourceUrl, targetUrl),
    env: {},
    signal: options.signal,
    observer: options.observer,
    // The twin was created by the demo a moment ago: there is nothing of the user's to protect.
    confirm: () => Promise.resolve(true),
  });
}

/** Settings made here rather than loaded, so no pgtwin.yaml or PGTWIN_* variable of the user's can change the demo. */
function demoSettings(source: string, target: string): Settings {
  return {
    configPath: undefined,
    environments: new Map(),
    source,
    target,
    tables: { include: [], exclude: [], filters: new Map() },
    anonymize: new Map(),
    keep: new Map(),
    strict: false,
    strategiesModule: undefined,
    options: { jobs: undefined, batchSize: DEFAULT_BATCH_SIZE, allowRemoteTarget: false, showProgress: false, cascade: false },
    warnings: [],
  };
}
