import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScorecheckError } from '../errors.ts';
import type { Claim } from './claim.ts';
import { SCORECHECK_VERSION } from './scorecheckVersion.ts';
import type { CounterexampleRecord } from './verdict.ts';

/** Where `verify` saves shrunk counterexamples and replays them first (Hypothesis-style), relative to the working directory. */
export const DEFAULT_COUNTEREXAMPLE_DIR = 'fixtures/counterexamples';

/**
 * The counterexamples shipped with the package (its own fixtures/counterexamples, found from
 * this module: src/claims/ and dist/claims/ both sit two levels below the package root).
 * `verify` replays them, read-only, for a claim the working directory's store has none for.
 */
export const SHIPPED_COUNTEREXAMPLE_DIR: string = fileURLToPath(new URL('../../fixtures/counterexamples', import.meta.url));

export const COUNTEREXAMPLE_FORMAT = 'scorecheck-counterexample';
export const COUNTEREXAMPLE_FORMAT_VERSION = 1;

/** One saved counterexample file, `<dir>/<claim-id>.json` (docs/report-schema.md). */
export interface SavedCounterexample extends CounterexampleRecord {
  readonly format: typeof COUNTEREXAMPLE_FORMAT;
  readonly formatVersion: number;
  readonly claim: string;
  readonly source: string;
  readonly expected: string;
  readonly scorecheckVersion: string;
  /** ISO-8601 time it was found. */
  readonly date: string;
}

/** A counterexample file that is missing, unreadable or malformed. */
export class CounterexampleFileError extends ScorecheckError {
  override name = 'CounterexampleFileError';
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

export function counterexampleFile(dir: string, claimId: string): string {
  return join(dir, `${claimId}.json`);
}

/** Writes `<dir>/<claim id>.json` (creating `dir`) and returns its path. */
export function saveCounterexample(dir: string, claim: Pick<Claim, 'id' | 'source' | 'expected'>, record: CounterexampleRecord, now = new Date()): string {
  const saved: SavedCounterexample = {
    format: COUNTEREXAMPLE_FORMAT,
    formatVersion: COUNTEREXAMPLE_FORMAT_VERSION,
    claim: claim.id,
    source: claim.source,
    expected: claim.expected,
    ...record,
    scorecheckVersion: SCORECHECK_VERSION,
    date: now.toISOString(),
  };
  mkdirSync(dir, { recursive: true });
  const file = counterexampleFile(dir, claim.id);
  writeFileSync(file, `${JSON.stringify(saved, null, 2)}\n`);
  return file;
}

/** Reads and validates one saved counterexample; throws CounterexampleFileError naming the file and the problem. */
export function loadCounterexample(file: string): SavedCounterexample {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CounterexampleFileError(file, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `cannot read (${(e as Error).message})`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new CounterexampleFileError(file, `not valid JSON (${(e as Error).message})`);
  }
  const o = v as Record<string, unknown>;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new CounterexampleFileError(file, 'expected a JSON object');
  if (o.format !== COUNTEREXAMPLE_FORMAT) throw new CounterexampleFileError(file, `format must be "${COUNTEREXAMPLE_FORMAT}" (got ${JSON.stringify(o.format)})`);
  if (o.formatVersion !== COUNTEREXAMPLE_FORMAT_VERSION) throw new CounterexampleFileError(file, `unsupported formatVersion ${JSON.stringify(o.formatVersion)} (this scorecheck reads ${COUNTEREXAMPLE_FORMAT_VERSION})`);
  if (typeof o.claim !== 'string' || o.claim === '') throw new CounterexampleFileError(file, 'claim must be a non-empty string');
  if (typeof o.seed !== 'number' || !Number.isSafeInteger(o.seed)) throw new CounterexampleFileError(file, `seed must be an integer (got ${JSON.stringify(o.seed)})`);
  if (typeof o.path !== 'string' || !/^\d+(:\d+)*$/.test(o.path)) throw new CounterexampleFileError(file, `path must look like "12:0:3" (got ${JSON.stringify(o.path)})`);
  if (o.kind !== 'fails' && o.kind !== 'throws') throw new CounterexampleFileError(file, `kind must be "fails" or "throws" (got ${JSON.stringify(o.kind)})`);
  return o as unknown as SavedCounterexample;
}

/** Loads `<dir>/<id>.json` if it exists; a malformed file is reported as `error`. */
export function loadSavedFor(dir: string, claimId: string): { saved?: SavedCounterexample; error?: string; file: string } {
  const file = counterexampleFile(dir, claimId);
  try {
    return { saved: loadCounterexample(file), file };
  } catch (e) {
    if (e instanceof CounterexampleFileError && e.detail === 'no such file') return { file };
    return { error: (e as Error).message, file };
  }
}

/** Every `*.json` in `dir` (sorted), or none if the folder does not exist. */
export function listCounterexampleFiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => join(dir, f));
  } catch {
    return [];
  }
}
