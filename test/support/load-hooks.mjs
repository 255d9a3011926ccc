// Module hooks of test/support/load-probe.ts: every module a pgtwin process
// resolves is appended, one URL a line, to the file named by PGTWIN_LOAD_PROBE_LOG.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  const log = process.env.PGTWIN_LOAD_PROBE_LOG;
  if (log) appendFileSync(log, `${resolved.url}\n`);
  return resolved;
}
