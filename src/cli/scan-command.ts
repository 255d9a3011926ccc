/** `pgtwin scan`: which source columns look like personal data; with --write, the rules into pgtwin.yaml. */
import * as path from 'node:path';
import { resolveEndpoint } from '../config/index.js';
import { toEndpoint } from '../pg/endpoint.js';
import { scanToJson, scanToText, writeToText, type ScanWrite } from '../report/scan-text.js';
import { DEFAULT_SAMPLE_SIZE, proposeRules, scanSource, writeRulesToConfig } from '../scan/index.js';
import { booleanFlag, positiveIntegerFlag } from './args.js';
import { readFlags } from './command-flags.js';
import { SCAN } from './definitions/setup.js';
import type { CliIo } from './io.js';
import { loadCommandSettings } from './schema-command.js';

export async function scanCommand(io: CliIo, argv: readonly string[], signal: AbortSignal): Promise<number> {
  const flags = readFlags(io, SCAN, argv);
  if (flags === undefined) return 0;
  const sampleSize = positiveIntegerFlag(flags, 'sample') ?? DEFAULT_SAMPLE_SIZE;
  const json = booleanFlag(flags, 'json');
  const settings = await loadCommandSettings(io, flags);
  const source = toEndpoint(resolveEndpoint(settings, 'source'), 'source', io.env);
  const progress = io.stderrIsTty && !json;
  const scan = await scanSource({
    source,
    tables: settings.tables,
    sampleSize,
    signal,
    onTable: progress ? (table, index, count) => io.stderr(`\x1b[2K\rpgtwin: sampling ${table} (${index + 1}/${count})`) : undefined,
  });
  if (progress) io.stderr('\x1b[2K\r');
  const proposal = proposeRules(scan, settings);
  const configFile = settings.configPath ?? path.join(io.cwd, 'pgtwin.yaml');
  const configName = shownPath(io.cwd, configFile);

  let write: ScanWrite | undefined;
  if (booleanFlag(flags, 'write')) {
    const result = await writeRulesToConfig({ path: configFile, additions: proposal, env: io.env });
    write = { path: configName, created: result.created, rules: result.rules, kept: result.kept };
  }
  if (json) {
    io.stdout(JSON.stringify(scanToJson(scan, proposal, write), null, 2) + '\n');
    return 0;
  }
  io.stdout(scanToText(scan, proposal, configName));
  if (write !== undefined) io.stdout('\n' + writeToText(write, proposal, settings.strict));
  else if (proposal.anonymize.size > 0 || proposal.keep.size > 0)
    io.stdout(`\nNext: review the findings, then \`pgtwin scan --write\` adds the rules and a keep: list to ${configName}.\n`);
  return 0;
}

function shownPath(cwd: string, file: string): string {
  const relative = path.relative(cwd, file);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}
