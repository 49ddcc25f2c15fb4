import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { type VPSchedule, cosineSchedule, linearSchedule, scaledLinearSchedule, vpFromAlphaBars } from '../../diffusion/schedule.ts';
import { ScorecheckError } from '../../errors.ts';
import { Gaussian } from '../../gaussian/gaussian.ts';
import { fromRows } from '../../linalg/index.ts';
import type { LinearEncoder } from '../../models/linearEncoder.ts';
import { requireLinearEncoder } from '../../models/linearEncoder.ts';
import { parseSamplesCsv, sampleMeanAndCovariance } from './csvSamples.ts';

/** A bias spec that cannot be used: names the spec file and the field (docs/bias-spec.md). */
export class BiasSpecError extends ScorecheckError {
  override name = 'BiasSpecError';
  constructor(
    readonly file: string,
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${file}: ${field}: ${detail}`);
  }
}

/** A validated setting for `scorecheck bias`. */
export interface BiasSetting {
  readonly data: Gaussian;
  /** Where the data moments came from: inline, or estimated from n samples in a CSV. */
  readonly dataSource: { readonly kind: 'inline' } | { readonly kind: 'samples'; readonly file: string; readonly n: number; readonly header?: readonly string[] };
  readonly schedule: VPSchedule;
  readonly encoder?: LinearEncoder;
  /** The timesteps to report, ascending, each in 1..T. */
  readonly timesteps: readonly number[];
}

const TOP_KEYS = ['data', 'schedule', 'encoder', 'timesteps', 'description'];

/** Reads, parses and validates the spec at `path` (named `file` in messages); a CSV named by `data.samples` is read relative to the spec. */
export function loadBiasSpec(path: string, file = path): BiasSetting {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new BiasSpecError(file, '(file)', (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'cannot read');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new BiasSpecError(file, '(file)', `not valid JSON (${oneLine((e as Error).message)})`);
  }
  return parseBiasSpec(json, file, (csv) => {
    const csvPath = resolve(dirname(path), csv);
    const shown = isAbsolute(csv) ? csv : join(dirname(file), csv);
    try {
      return { path: shown, text: readFileSync(csvPath, 'utf8') };
    } catch (e) {
      throw new BiasSpecError(file, 'data.samples', `cannot read ${shown}${(e as NodeJS.ErrnoException).code === 'ENOENT' ? ' (no such file)' : ''}`);
    }
  });
}

/** Validates a parsed spec. `readCsv` loads `data.samples` (injected for tests). */
export function parseBiasSpec(json: unknown, file: string, readCsv: (name: string) => { path: string; text: string }): BiasSetting {
  const fail = (field: string, detail: string): never => {
    throw new BiasSpecError(file, field, detail);
  };
  const spec = object(json, '(root)', fail);
  for (const k of Object.keys(spec)) if (!TOP_KEYS.includes(k)) fail(k, `unknown key (expected ${TOP_KEYS.join(', ')})`);

  // data: inline moments or samples.
  const dataSpec = object(spec.data, 'data', fail);
  let data: Gaussian;
  let dataSource: BiasSetting['dataSource'];
  if ('samples' in dataSpec) {
    for (const k of Object.keys(dataSpec)) if (k !== 'samples') fail(`data.${k}`, 'give either samples or mean + cov, not both');
    if (typeof dataSpec.samples !== 'string' || dataSpec.samples === '') fail('data.samples', 'must be a CSV file name');
    const { path, text } = readCsv(dataSpec.samples as string);
    const parsed = parseSamplesCsv(text, path);
    const { mean, cov } = sampleMeanAndCovariance(parsed.samples, path);
    data = wrap(file, () => new Gaussian(mean, cov, `data (estimated from ${dataSpec.samples})`));
    dataSource = { kind: 'samples', file: dataSpec.samples as string, n: parsed.samples.rows, ...(parsed.header ? { header: parsed.header } : {}) };
  } else {
    for (const k of Object.keys(dataSpec)) if (k !== 'mean' && k !== 'cov') fail(`data.${k}`, 'unknown key (expected mean and cov, or samples)');
    const mean = numberArray(dataSpec.mean, 'data.mean', fail);
    const cov = matrixRows(dataSpec.cov, 'data.cov', fail);
    if (cov.length !== mean.length || cov[0].length !== mean.length) fail('data.cov', `must be ${mean.length}×${mean.length} to match data.mean (got ${cov.length}×${cov[0].length})`);
    data = wrap(file, () => new Gaussian(mean, fromRows(cov, 'data.cov'), 'data'));
    dataSource = { kind: 'inline' };
  }

  // schedule.
  const sch = object(spec.schedule, 'schedule', fail);
  let schedule: VPSchedule;
  const kind = sch.kind;
  const allowed = (keys: string[]) => {
    for (const k of Object.keys(sch)) if (!keys.includes(k)) fail(`schedule.${k}`, `unknown key for kind ${JSON.stringify(kind)} (expected ${keys.join(', ')})`);
  };
  const T = () => {
    const t = sch.T;
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 1 || t > 100_000) fail('schedule.T', `must be an integer in [1, 100000] (got ${JSON.stringify(t)})`);
    return t as number;
  };
  const optNum = (k: string, lo: number, hi: number): number | undefined => {
    const v = sch[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !(v > lo && v < hi)) fail(`schedule.${k}`, `must be a number in (${lo}, ${hi}) (got ${JSON.stringify(v)})`);
    return v as number;
  };
  if (kind === 'linear' || kind === 'scaled-linear') {
    allowed(['kind', 'T', 'betaStart', 'betaEnd']);
    const t = T();
    const b0 = optNum('betaStart', 0, 1), b1 = optNum('betaEnd', 0, 1);
    schedule = wrap(file, () => (kind === 'linear' ? linearSchedule : scaledLinearSchedule)(t, b0, b1));
  } else if (kind === 'cosine') {
    allowed(['kind', 'T', 'offset']);
    const t = T();
    const off = optNum('offset', 0, 1);
    schedule = wrap(file, () => cosineSchedule(t, off));
  } else if (kind === 'alphaBars') {
    allowed(['kind', 'alphaBars']);
    const ab = numberArray(sch.alphaBars, 'schedule.alphaBars', fail);
    schedule = wrap(file, () => vpFromAlphaBars(ab, 'vp-alphabar'));
  } else {
    return fail('schedule.kind', `must be "linear", "scaled-linear", "cosine" or "alphaBars" (got ${JSON.stringify(kind)})`);
  }

  // encoder (optional).
  let encoder: LinearEncoder | undefined;
  if (spec.encoder !== undefined) {
    const enc = object(spec.encoder, 'encoder', fail);
    for (const k of Object.keys(enc)) if (!['B', 'b', 'tau'].includes(k)) fail(`encoder.${k}`, 'unknown key (expected B, b, tau)');
    const B = matrixRows(enc.B, 'encoder.B', fail);
    if (B[0].length !== data.dim) fail('encoder.B', `must have ${data.dim} columns (the data dimension), got ${B[0].length}`);
    const b = enc.b === undefined ? new Array<number>(B.length).fill(0) : numberArray(enc.b, 'encoder.b', fail);
    if (typeof enc.tau !== 'number' || !(enc.tau > 0) || !Number.isFinite(enc.tau)) fail('encoder.tau', `must be a number > 0 (got ${JSON.stringify(enc.tau)})`);
    encoder = wrap(file, () => requireLinearEncoder({ B: fromRows(B, 'encoder.B'), b: Float64Array.from(b), tau: enc.tau as number }, data.dim));
  }

  // timesteps: "all" (default), a list, or { stride, start? }.
  const Tn = schedule.T;
  let timesteps: number[];
  const ts = spec.timesteps;
  if (ts === undefined || ts === 'all') timesteps = Array.from({ length: Tn }, (_, i) => i + 1);
  else if (Array.isArray(ts)) {
    if (ts.length === 0) fail('timesteps', 'must not be empty');
    ts.forEach((t, i) => {
      if (typeof t !== 'number' || !Number.isInteger(t) || t < 1 || t > Tn) fail(`timesteps[${i}]`, `must be an integer in [1, ${Tn}] (got ${JSON.stringify(t)})`);
    });
    timesteps = [...new Set(ts as number[])].sort((a, b) => a - b);
  } else if (typeof ts === 'object' && ts !== null) {
    const o = ts as Record<string, unknown>;
    for (const k of Object.keys(o)) if (k !== 'stride' && k !== 'start') fail(`timesteps.${k}`, 'unknown key (expected stride, start)');
    const stride = o.stride, start = o.start ?? 1;
    if (typeof stride !== 'number' || !Number.isInteger(stride) || stride < 1) fail('timesteps.stride', `must be an integer ≥ 1 (got ${JSON.stringify(stride)})`);
    if (typeof start !== 'number' || !Number.isInteger(start) || start < 1 || start > Tn) fail('timesteps.start', `must be an integer in [1, ${Tn}] (got ${JSON.stringify(start)})`);
    timesteps = [];
    for (let t = start as number; t <= Tn; t += stride as number) timesteps.push(t);
    if (timesteps[timesteps.length - 1] !== Tn) timesteps.push(Tn);
  } else {
    return fail('timesteps', `must be "all", a list of timesteps or { "stride": k } (got ${JSON.stringify(ts)})`);
  }

  return { data, dataSource, schedule, ...(encoder ? { encoder } : {}), timesteps };
}

type Fail = (field: string, detail: string) => never;

function object(v: unknown, field: string, fail: Fail): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(field, v === undefined ? 'missing' : `must be an object (got ${JSON.stringify(v)})`);
  return v as Record<string, unknown>;
}

function numberArray(v: unknown, field: string, fail: Fail): number[] {
  if (!Array.isArray(v) || v.length === 0) return fail(field, v === undefined ? 'missing' : 'must be a non-empty array of numbers');
  v.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) fail(`${field}[${i}]`, `must be a finite number (got ${JSON.stringify(x)})`);
  });
  return v as number[];
}

function matrixRows(v: unknown, field: string, fail: Fail): number[][] {
  if (!Array.isArray(v) || v.length === 0) return fail(field, v === undefined ? 'missing' : 'must be a non-empty array of rows');
  const rows = v.map((r, i) => numberArray(r, `${field}[${i}]`, fail));
  rows.forEach((r, i) => {
    if (r.length !== rows[0].length) fail(`${field}[${i}]`, `has ${r.length} entries, row 0 has ${rows[0].length}`);
  });
  return rows;
}

/** Runs a constructor; a typed error (e.g. NotSPDError naming data.cov) gets the spec file in front. */
function wrap<T>(file: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ScorecheckError && !(e instanceof BiasSpecError)) throw new BiasSpecError(file, e.message.split(':')[0], e.message.slice(e.message.indexOf(':') + 1).trim());
    throw e;
  }
}

/** A message folded onto one line (white space collapsed), at most 120 characters: error output stays one line. */
export function oneLine(message: string): string {
  const line = message.replace(/\s+/g, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}
