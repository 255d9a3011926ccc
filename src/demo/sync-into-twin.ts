/**
 * The demo's sync step: the whole pipeline into an empty twin. pgtwin creates
 * the schema from production's catalog and masks with the demo's rules under
 * a key made for this run only (the demo keeps nothing, so the key goes too).
 */
import { randomBytes } from 'node:crypto';
import { DEFAULT_BATCH_SIZE, DEFAULT_SPLIT_TABLES_LARGER_THAN } from '../config/index.js';
import type { Settings } from '../config/index.js';
import type { SyncObserver } from '../snapshot/observer.js';
import type { SyncReport } from '../sync/sync-report.js';
import { runSync } from '../sync/sync.js';
import { DEMO_ANONYMIZE, DEMO_KEEP } from './mask-rules.js';

export interface TwinSyncOptions {
  readonly signal?: AbortSignal | undefined;
  readonly observer?: SyncObserver | undefined;
}

export interface TwinSync {
  readonly report: SyncReport;
  /** What the leak check and the comparison need to plan exactly as the sync did. */
  readonly settings: Settings;
  readonly env: Readonly<Record<string, string>>;
}

export async function syncIntoTwin(sourceUrl: string, targetUrl: string, options: TwinSyncOptions = {}): Promise<TwinSync> {
  const settings = demoSettings(sourceUrl, targetUrl);
  const env = { PGTWIN_SECRET: randomBytes(32).toString('hex') };
  const report = await runSync({
    settings,
    env,
    signal: options.signal,
    observer: options.observer,
    // The twin was started empty by the demo a moment ago: there is nothing of the user's to protect.
    confirm: () => Promise.resolve(true),
  });
  return { report, settings, env };
}

/** Settings made here rather than loaded, so no pgtwin.yaml or PGTWIN_* variable of the user's can change the demo. */
function demoSettings(source: string, target: string): Settings {
  return {
    configPath: undefined,
    environments: new Map(),
    source,
    target,
    tables: { include: [], exclude: [], filters: new Map() },
    anonymize: DEMO_ANONYMIZE,
    keep: DEMO_KEEP,
    strict: true,
    strategiesModule: undefined,
    options: {
      jobs: undefined,
      batchSize: DEFAULT_BATCH_SIZE,
      splitTablesLargerThan: DEFAULT_SPLIT_TABLES_LARGER_THAN,
      maskWorkers: undefined,
      allowRemoteTarget: false,
      showProgress: false,
      cascade: false,
    },
    warnings: [],
  };
}
