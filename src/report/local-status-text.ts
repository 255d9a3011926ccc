/** How `pgtwin local status` shows the embedded server. */
import type { LocalServerStatus } from '../pg/local-server.js';

/** `shown` writes a path as the user reads it best (relative to the working directory when inside it). */
export function localStatusText(s: LocalServerStatus, shown: (path: string) => string): string {
  const headline = {
    running: `running (pid ${s.pid ?? '?'})`,
    stopped: 'stopped',
    absent: 'not created yet (pgtwin local start creates it)',
  }[s.state];
  const port = s.port === s.configuredPort ? String(s.port) : `${s.port} (configured ${s.configuredPort}: stop and start to move it)`;
  const version = s.dataVersion === undefined ? `PostgreSQL ${s.version}` : `PostgreSQL ${s.version} (data created by ${s.dataVersion})`;
  return [
    `local server: ${headline}`,
    `  port:     ${port}`,
    `  data dir: ${shown(s.dataDir)}`,
    // As root the cluster lives in pgtwin's shared directory, not under data_dir.
    ...(s.pgdata.startsWith(s.dataDir) ? [] : [`  cluster:  ${s.pgdata}`]),
    `  version:  ${version}`,
    `  log:      ${shown(s.logFile)}`,
    `  url:      ${s.displayUrl} (password: pgtwin local url)`,
    '',
  ].join('\n');
}
