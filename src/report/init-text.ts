/** What `pgtwin init` prints once the file is written: what it holds, then the next steps. */
import { DEFAULT_SECRET_FILE, type StarterConfig } from '../scan/index.js';
import { INIT_FILE_NAME as FILE_NAME, type InitConfigResult } from '../scan/index.js';

export function initText(result: InitConfigResult): string {
  const lines = [`Wrote ${FILE_NAME}: ${summary(result.starter)}, strict: true.`];
  if (result.scanLine !== undefined) lines.push(result.scanLine);
  for (const other of result.existing.filter((name) => name !== FILE_NAME))
    lines.push(`Note: ${other} is now ignored, because ${FILE_NAME} comes first; remove it.`);
  lines.push('', 'Next steps:');
  const steps: string[] = [];
  for (const env of [result.starter.source, result.starter.target]) {
    if (env?.variable === undefined) continue;
    steps.push(
      env.variableHolds === 'password'
        ? `export ${env.variable}=...   the password of ${env.name} (not stored in ${FILE_NAME}; percent-encode @ : / ? # in it)`
        : `export ${env.variable}=postgres://...   the URL of ${env.name} (${FILE_NAME} reads it from there)`,
    );
  }
  if (result.starter.source === undefined) steps.push(`define the production database under environments: in ${FILE_NAME} and set source:`);
  steps.push(
    result.scanLine === undefined
      ? `pgtwin scan --write   adds masking rules and a keep: list for every table`
      : `review anonymize: and keep: in ${FILE_NAME} (each rule has a comment saying why)`,
  );
  steps.push(`pgtwin keygen   writes the masking key to ${DEFAULT_SECRET_FILE}; then uncomment secret_file: in ${FILE_NAME}`);
  steps.push('pgtwin plan, then pgtwin sync');
  steps.forEach((step, i) => lines.push(`  ${i + 1}. ${step}`));
  return lines.join('\n') + '\n';
}

function summary(starter: StarterConfig): string {
  const source = starter.source === undefined ? 'no source yet' : `source ${starter.source.name}`;
  const target = starter.target === undefined ? 'target local (the built-in embedded server)' : `target ${starter.target.name}`;
  return `${source}, ${target}`;
}
