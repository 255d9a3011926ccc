/**
 * CPU time of processes from /proc (Linux only; elsewhere every reading is
 * undefined and the bench prints no CPU split). Used to tell where a follow's
 * time goes: its Node process, the target backend applying its statements,
 * the source walsender decoding the WAL, and each server as a whole.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/**
 * User and system CPU apart: a process doing one small write per round trip
 * over loopback TCP spends much of its time in the kernel, and that is what
 * tells a round-trip bound from a computation bound.
 */
export interface CpuTimes {
  readonly userMs: number;
  readonly systemMs: number;
}

interface Stat {
  readonly ppid: number;
  /** utime, stime in clock ticks. */
  readonly user: number;
  readonly system: number;
  /** cutime, cstime: children already exited and reaped. */
  readonly reapedUser: number;
  readonly reapedSystem: number;
}

function readStat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may itself hold spaces or parentheses.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state) of proc(5): ppid is field 4, utime..cstime fields 14..17.
    return {
      ppid: Number(fields[1]),
      user: Number(fields[11]),
      system: Number(fields[12]),
      reapedUser: Number(fields[13]),
      reapedSystem: Number(fields[14]),
    };
  } catch {
    return undefined;
  }
}

const ms = (user: number, system: number): CpuTimes => ({ userMs: (user * 1000) / clockTicks(), systemMs: (system * 1000) / clockTicks() });

/** CPU time of one process; undefined once it is gone. */
export function processCpu(pid: number | undefined): CpuTimes | undefined {
  if (pid === undefined) return undefined;
  const stat = readStat(pid);
  return stat === undefined ? undefined : ms(stat.user, stat.system);
}

/**
 * CPU milliseconds of a whole PostgreSQL server: the postmaster, its live
 * children, and the children that already exited (the postmaster reaps every
 * backend, so their time is in its cutime/cstime). Differences between two
 * readings are the server's CPU over that interval, backends that came and
 * went included.
 */
export function serverCpu(dataDir: string): CpuTimes | undefined {
  // The cluster is in `pgdata` under the data directory, or, run as root, under its `cluster` link (src/local/layout.ts).
  const pidFile = [join(dataDir, 'pgdata'), join(dataDir, 'cluster', 'pgdata'), dataDir]
    .map((dir) => join(dir, 'postmaster.pid'))
    .find((path) => existsSync(path));
  if (pidFile === undefined) return undefined;
  let postmaster: number;
  try {
    postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
  const root = readStat(postmaster);
  if (root === undefined) return undefined;
  let user = root.user + root.reapedUser;
  let system = root.system + root.reapedSystem;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat?.ppid !== postmaster) continue;
    user += stat.user;
    system += stat.system;
  }
  return ms(user, system);
}

/**
 * CPU used by everything on the machine (all CPUs), and the time the
 * hypervisor gave to other guests (steal). Set against the processes the bench
 * knows, it shows whether something else ran during a measurement.
 */
export function machineCpu(): (CpuTimes & { readonly stealMs: number }) | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    // cpu user nice system idle iowait irq softirq steal ...
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
    return { ...ms(user + nice, system + irq + softirq), stealMs: (steal * 1000) / clockTicks() };
  } catch {
    return undefined;
  }
}
