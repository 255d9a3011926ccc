/**
 * What `pgtwin status` shows, read from both ends: the follows recorded in the
 * twin, their slots on the source (when it can be reached: the twin alone
 * still answers), the last runs, and the follows running from this directory.
 * Reads only.
 */
import type { Settings } from '../config/index.js';
import { resolveEndpoint } from '../config/index.js';
import { messageOf } from '../errors.js';
import { openTargetEndpoint } from '../pg/connect-endpoints.js';
import { openClient, type Client } from '../pg/connect.js';
import { toEndpoint } from '../pg/endpoint.js';
import { withScope } from '../scope.js';
import type { ArchiveStore } from '../store/store.js';
import { pidDirectory, runningFollows, type RunningFollow } from './pid-file.js';
import { followReports, recentRuns, type FollowReport, type RunSummary } from './status.js';

export interface TwinStatus {
  /** The twin as displayed (no password). */
  readonly target: string;
  readonly running: readonly RunningFollow[];
  /** Why slot and lag are missing, when the source could not be reached. */
  readonly sourceProblem: string | undefined;
  readonly reports: readonly FollowReport[];
  readonly runs: readonly RunSummary[];
  /** A follow has failed, or its slot is gone. */
  readonly failed: boolean;
}

export interface TwinStatusOptions {
  readonly settings: Settings;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where the pid files are looked for when the settings have no config file. */
  readonly cwd: string;
  readonly signal?: AbortSignal;
  /** Opens an archive a twin was built from (its recorded location, or the one given), to say how far behind it the twin is. */
  readonly openArchive?: (location: string) => Promise<ArchiveStore>;
}

export async function readTwinStatus(options: TwinStatusOptions): Promise<TwinStatus> {
  const { settings, env, signal } = options;
  const running = await runningFollows(pidDirectory(settings.configPath, options.cwd));
  return withScope(async (scope) => {
    const targetEndpoint = await openTargetEndpoint(settings, env, { signal });
    const target = scope.add(
      await openClient(targetEndpoint, { readOnly: true, applicationName: 'pgtwin status', signal }),
      (c) => c.end(),
      'target session',
    );
    let source: Client | undefined;
    let sourceProblem: string | undefined;
    if (settings.source !== undefined) {
      try {
        source = scope.add(
          await openClient(toEndpoint(resolveEndpoint(settings, 'source'), 'source', env), {
            readOnly: true,
            applicationName: 'pgtwin status',
            signal,
            retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
          }),
          (c) => c.end(),
          'source session',
        );
      } catch (error) {
        sourceProblem = `the source could not be reached (${messageOf(error)}): slot and lag are not shown`;
      }
    }
    const reports = await followReports(target, source, options.openArchive);
    const runs = await recentRuns(target);
    const failed = reports.some((r) => r.state.status === 'failed' || r.slot === null);
    return { target: targetEndpoint.display, running, sourceProblem, reports, runs, failed };
  });
}
