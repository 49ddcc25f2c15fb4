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
}

/** Runs `fn` `warmup` times untimed, then `reps` times timed. */
export function measure(fn: () => void, warmup = 2, reps = 7): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const ts: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    ts.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return summarize(ts);
}

export function summarize(ts: number[]): Timing {
  const s = [...ts].sort((a, b) => a - b);
  const median = s.length % 2 ? s[s.length >> 1] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
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
