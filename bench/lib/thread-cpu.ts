// CPU time split by where it runs (this process's main thread, its other threads, local PostgreSQL processes), from Linux /proc.
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of the times in /proc stat files (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

export interface CpuSplit {
  readonly mainThreadMs: number;
  /** V8 helper threads (GC, compiler) and the libuv thread pool (signatures); not the thread `cpuSplit` names apart. */
  readonly otherThreadsMs: number;
  /** The thread named apart (e.g. a bench client on a worker thread); 0 when none is named. */
  readonly namedThreadMs: number;
  /** Client backends of a PostgreSQL on this host (its background processes excluded). */
  readonly postgresBackendsMs: number;
}

type Snapshot = ReadonlyMap<string, number>;

function statOf(path: string): { comm: string; ticks: number } | undefined {
  try {
    const s = readFileSync(path, 'utf8');
    const close = s.lastIndexOf(')');
    const fields = s.slice(close + 2).split(' ');
    // utime and stime are fields 14 and 15 of the stat line; fields[0] is field 3.
    return { comm: s.slice(s.indexOf('(') + 1, close), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

/** CPU ticks so far per thread of this process and per PostgreSQL client backend; undefined off Linux. */
export function cpuSnapshot(): Snapshot | undefined {
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return undefined;
  }
  const ticks = new Map<string, number>();
  for (const t of tasks) {
    const s = statOf(`/proc/self/task/${t}/stat`);
    if (s !== undefined) ticks.set(t === String(process.pid) ? 'main' : `thread:${t}`, s.ticks);
  }
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const s = statOf(`/proc/${pid}/stat`);
    if (s === undefined || !s.comm.startsWith('postgres')) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    // A client backend's title names its client address ("… user db 127.0.0.1(port) idle"); background processes do not.
    if (/\d+\.\d+\.\d+\.\d+\(\d+\)|\[local\]|\]\(\d+\)/.test(cmdline)) ticks.set(`pg:${pid}`, s.ticks);
  }
  return ticks;
}

/** The CPU used between two snapshots, in ms per `units` (e.g. per flow); `namedThread` (a Linux thread id) apart. */
export function cpuSplit(before: Snapshot, after: Snapshot, units: number, namedThread?: string): CpuSplit {
  const ms = { main: 0, other: 0, pg: 0, named: 0 };
  for (const [key, t] of after) {
    const used = ((t - (before.get(key) ?? 0)) * 1000) / TICKS_PER_SECOND / units;
    if (key === 'main') ms.main += used;
    else if (namedThread !== undefined && key === `thread:${namedThread}`) ms.named += used;
    else if (key.startsWith('pg:')) ms.pg += used;
    else ms.other += used;
  }
  return { mainThreadMs: ms.main, otherThreadsMs: ms.other, postgresBackendsMs: ms.pg, namedThreadMs: ms.named };
}
