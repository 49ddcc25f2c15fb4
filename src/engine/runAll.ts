import type { FalseAlarmPlan } from './falseAlarmPlan.ts';
import type { Property } from './property.ts';
import { type Phase, type PropertyRun, type RunOptions, runProperty } from './runProperty.ts';
import type { ExampleStore } from './store/exampleStore.ts';
import { verdictIsExpected, verdictOf } from './verdict.ts';

export interface SessionOptions {
  readonly seed: number;
  /** Cases per property (default: each property's defaultRuns). */
  readonly runs?: number;
  readonly falseAlarm: FalseAlarmPlan;
  readonly store?: ExampleStore;
  readonly storeKey?: (p: Property) => string;
  readonly save?: boolean;
  readonly replaySaved?: boolean;
  /** Exact cases to replay instead of searching, by property id. */
  readonly replay?: ReadonlyMap<string, RunOptions['replay']>;
  /** Stop after the first property whose verdict is not the expected one. */
  readonly bail?: boolean;
  /** Stop after a run for which this returns true (e.g. a subject that crashed). */
  readonly stopAfter?: (run: PropertyRun) => boolean;
  readonly timeLimitMs?: number;
  readonly maxShrinks?: number;
  readonly isFatal?: RunOptions['isFatal'];
  readonly signal?: AbortSignal;
  readonly onStart?: (p: Property, index: number, total: number) => void;
  readonly onCase?: (p: Property, phase: Phase | 'shrink', index: number, total: number) => void;
  readonly onDone?: (run: PropertyRun, index: number, total: number) => void;
}

/**
 * Runs properties one after another through one false-alarm plan and store (the loop of
 * `verify` and `check`). Stops early on abort (the last run is marked interrupted) or, with
 * `bail`, after the first unexpected verdict.
 */
export async function runAll(props: readonly Property[], opts: SessionOptions): Promise<{ runs: PropertyRun[]; interrupted: boolean; bailed: boolean }> {
  const runs: PropertyRun[] = [];
  let bailed = false;
  for (let i = 0; i < props.length; i++) {
    if (opts.signal?.aborted) break;
    const p = props[i];
    opts.onStart?.(p, i, props.length);
    const replay = opts.replay?.get(p.id);
    const run = await runProperty(p, {
      seed: opts.seed,
      falseAlarm: opts.falseAlarm,
      ...(opts.runs !== undefined ? { runs: opts.runs } : {}),
      ...(opts.store ? { store: opts.store, storeKey: opts.storeKey?.(p) ?? p.id } : {}),
      ...(opts.save !== undefined ? { save: opts.save } : {}),
      ...(opts.replaySaved !== undefined ? { replaySaved: opts.replaySaved } : {}),
      ...(replay ? { replay } : {}),
      ...(opts.timeLimitMs !== undefined ? { timeLimitMs: opts.timeLimitMs } : {}),
      ...(opts.maxShrinks !== undefined ? { maxShrinks: opts.maxShrinks } : {}),
      ...(opts.isFatal ? { isFatal: opts.isFatal } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onCase ? { onCase: (phase, k, n) => opts.onCase!(p, phase, k, n) } : {}),
    });
    runs.push(run);
    opts.onDone?.(run, i, props.length);
    if (run.interrupted || opts.stopAfter?.(run)) break;
    if (opts.bail && !verdictIsExpected(verdictOf(run))) {
      bailed = true;
      break;
    }
  }
  return { runs, interrupted: opts.signal?.aborted === true, bailed };
}
