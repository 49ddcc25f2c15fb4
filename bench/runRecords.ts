/** What one run of the long false-alarm run (bench/false-alarm-run.ts) records, one JSON line each. */

/** Which seed ran, on which tree, when, for how long, under what load. */
export interface RunStamp {
  readonly seed: number;
  /** git commit of the tree that ran (absent in records written before 2026-11-30). */
  readonly tree?: string;
  readonly date: string;
  readonly ms: number;
  readonly exit: number | null;
  /** 1-minute load average when the run ended. */
  readonly load: number;
  /** The run itself failed (no report): crash, timeout, bad usage. */
  readonly failure?: string;
}

/** One seed of `scorecheck verify --seed S`. */
export interface VerifyRecord extends RunStamp {
  readonly kind: 'verify';
  /** Claims whose result is not the expected one. */
  readonly unexpected: { id: string; verdict: string; expected: string; reason?: string }[];
  readonly summary?: Record<string, number>;
}

/** One seed of the whole suite (`SCORECHECK_SEED=S vitest run`). */
export interface SuiteRecord extends RunStamp {
  readonly kind: 'suite';
  readonly tests?: number;
  readonly failed: { file: string; name: string; message: string }[];
}
