import { cpus, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';

/** Median and spread of repeated wall-clock timings (seconds). */
export interface Timing {
  readonly reps: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** (max − min) / median */
  readonly relSpread: number;
  /** os.loadavg()[0] when the measurement finished. */
  readonly load1: number;
  /**
   * Median process CPU time (user + system) per repetition, seconds: for
   * single-threaded code, the time it would take on an idle core — far less
   * sensitive than wall time to other processes on a shared machine.
   */
  readonly cpuMedian?: number;
}

/** Runs `fn` `warmup` times untimed, then `reps` times timed. */
export function measure(fn: () => void, warmup = 2, reps = 7): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const ts: number[] = [], cs: number[] = [];
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    fn();
    ts.push(Number(process.hrtime.bigint() - t0) / 1e9);
    const c = process.cpuUsage(c0);
    cs.push((c.user + c.system) / 1e6);
  }
  return { ...summarize(ts), cpuMedian: medianOf(cs) };
}

function medianOf(ts: number[]): number {
  const s = [...ts].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
}

export function summarize(ts: number[]): Timing {
  const s = [...ts].sort((a, b) => a - b);
  const median = medianOf(s);
  return { reps: s.length, median, min: s[0], max: s[s.length - 1], relSpread: (s[s.length - 1] - s[0]) / median, load1: loadavg()[0] };
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly date: string;
  readonly loadAtStart: number[];
}

export function machine(): Machine {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch { /* not Linux */ }
  return { cpu, cores: cpus().length, node: process.version, date: new Date().toISOString(), loadAtStart: loadavg() };
}
