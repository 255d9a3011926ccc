/**
 * What initdb's output or the server's log says went wrong, for the causes a
 * user can fix: a full disk, a directory it may not write, a taken port. The
 * error then carries that cause's own code and next step instead of a generic
 * "could not start".
 */

export interface FailureHint {
  readonly code: string;
  readonly nextStep: string;
}

export function failureHint(lines: readonly string[], where: { dir: string; port?: number | undefined }): FailureHint | undefined {
  const text = lines.join('\n');
  if (/No space left on device|could not extend file|disk full/i.test(text)) {
    return { code: 'LOCAL_DISK_FULL', nextStep: `Free disk space on the file system of ${where.dir}, then run the command again.` };
  }
  if (/Address already in use|could not bind IPv[46] address/i.test(text)) {
    const port = where.port === undefined ? 'the port' : `port ${where.port}`;
    return { code: 'LOCAL_PORT_IN_USE', nextStep: `Another program listens on ${port}: stop it, or give the server another port.` };
  }
  if (/Permission denied|could not (create|open|change) (directory|file)/i.test(text)) {
    return {
      code: 'LOCAL_DIR_UNUSABLE',
      nextStep: `Check that ${where.dir} can be written by the server's user, then run the command again.`,
    };
  }
  return undefined;
}
