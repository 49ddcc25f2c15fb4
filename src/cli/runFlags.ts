import { resolve } from 'node:path';
import { defaultUserStoreDir } from '../engine/store/defaultStores.ts';
import { intOption } from './args.ts';
import type { CliIO } from './io.ts';
import { REPORT_HELP, REPORT_OPTIONS } from './reportTargets.ts';
import { UsageError } from './usageError.ts';

/** The seed `verify` and `check` use when neither --seed nor $SCORECHECK_SEED is given. */
export const DEFAULT_SEED = 20261122;

/** Most cases per property `--runs` accepts (a typo like 1e9 is an error, not a run that never ends). */
export const MAX_RUNS = 100_000;

/** Options shared by `verify` and `check` (one parser, one meaning). */
export const RUN_OPTIONS = {
  runs: { type: 'string' },
  seed: { type: 'string' },
  store: { type: 'string' },
  save: { type: 'boolean' },
  'replay-saved': { type: 'boolean' },
  replay: { type: 'string' },
  bail: { type: 'boolean' },
  format: { type: 'string' },
  'time-limit': { type: 'string' },
  ...REPORT_OPTIONS,
} as const;

export const RUN_HELP = `Run
  --runs N               cases per claim/check: corners, random and targeted (default: each
                         one's own; 1..${MAX_RUNS}); the false-alarm level per assertion follows it
  --seed S               seed of the search (default: $SCORECHECK_SEED, else ${DEFAULT_SEED})
  --replay FILE|TOKEN    check exactly the saved case(s): a counterexample file, a JSON report,
                         or the choices:… token a report prints
  --store DIR            where counterexamples are replayed from first and saved (default:
                         $SCORECHECK_STORE, else ~/.cache/scorecheck/counterexamples)
  --no-save              do not save new counterexamples (saved ones are still replayed)
  --no-replay-saved      do not replay saved counterexamples first
  --bail                 stop after the first unexpected verdict
  --time-limit SECONDS   stop starting new cases of a claim/check after this long (the evidence says so)
  --format text|github   github: also print GitHub Actions annotations (::error …) for each unexpected verdict

${REPORT_HELP}`;

export interface RunFlags {
  readonly runs?: number;
  readonly seed: number;
  readonly storeDir: string;
  readonly save: boolean;
  readonly replaySaved: boolean;
  readonly replay?: string;
  readonly bail: boolean;
  readonly format: 'text' | 'github';
  readonly timeLimitMs?: number;
}

export function parseRunFlags(o: Readonly<Record<string, unknown>>, io: CliIO): RunFlags {
  const runs = intOption(o.runs, 'runs', 1, MAX_RUNS);
  const fromEnv = o.seed === undefined && io.env.SCORECHECK_SEED !== undefined && io.env.SCORECHECK_SEED !== '';
  const seed = intOption(o.seed ?? (fromEnv ? io.env.SCORECHECK_SEED : undefined), fromEnv ? 'seed (from SCORECHECK_SEED)' : 'seed', -(2 ** 31), 2 ** 31 - 1) ?? DEFAULT_SEED;
  const format = o.format ?? 'text';
  if (format !== 'text' && format !== 'github') throw new UsageError(`--format must be text or github (got "${String(format)}")`);
  let timeLimitMs: number | undefined;
  if (o['time-limit'] !== undefined) {
    const s = Number(o['time-limit']);
    if (!(s > 0) || !Number.isFinite(s)) throw new UsageError(`--time-limit must be a positive number of seconds (got "${String(o['time-limit'])}")`);
    timeLimitMs = s * 1000;
  }
  return {
    ...(runs !== undefined ? { runs } : {}),
    seed,
    storeDir: typeof o.store === 'string' ? resolve(io.cwd, o.store) : defaultUserStoreDir(io.env),
    save: o.save !== false,
    replaySaved: o['replay-saved'] !== false,
    ...(typeof o.replay === 'string' ? { replay: resolveReplay(o.replay, io.cwd) } : {}),
    bail: o.bail === true,
    format,
    ...(timeLimitMs !== undefined ? { timeLimitMs } : {}),
  };
}

function resolveReplay(spec: string, cwd: string): string {
  return spec.startsWith('choices:') ? spec : resolve(cwd, spec);
}

/** A GitHub Actions workflow command, escaped (docs: "workflow commands for GitHub Actions"). */
export function githubAnnotation(level: 'error' | 'warning' | 'notice', title: string, message: string): string {
  const esc = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const prop = (s: string) => esc(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  return `::${level} title=${prop(title)}::${esc(message)}`;
}

/**
 * An AbortSignal raised by the first SIGINT (the run then stops between cases and writes
 * the finished part of its report); a second SIGINT exits at once.
 */
export function interruptSignal(io: CliIO): { signal: AbortSignal; dispose: () => void } {
  if (io.signal) return { signal: io.signal, dispose: () => undefined };
  const ac = new AbortController();
  const onInt = () => {
    if (ac.signal.aborted) process.exit(130);
    io.stderr.write('\nscorecheck: interrupted — finishing the current case and writing the reports (Ctrl-C again to quit now)\n');
    ac.abort();
  };
  process.on('SIGINT', onInt);
  return { signal: ac.signal, dispose: () => process.off('SIGINT', onInt) };
}
