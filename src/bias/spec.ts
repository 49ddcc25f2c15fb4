import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ScorecheckError } from '../errors.ts';
import { type Matrix, fromRows } from '../linalg/index.ts';
import { type LinearEncoder, requireLinearEncoder } from '../models/linearEncoder.ts';
import type { BiasData, BiasInput } from './compute.ts';
import { parseSamplesCsv } from './csv.ts';
import { readNpyRows } from './npy.ts';
import { type SampleFormat, sampleFormatOf } from './readSamples.ts';
import { type ScheduleChoice, parseScheduleSpec } from './scheduleSpec.ts';
import { PARAMETERIZATIONS, type Parameterization, type TimestepWeights, type BiasWeighting } from './weighting.ts';
import { parseFlowBiasSpec } from './flowSpec.ts';
import { SCHEDULE_PRESETS } from './scheduleSpec.ts';

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

/** A validated spec: the library input plus what the output states about it. */
export interface BiasSpec {
  readonly input: BiasInput;
  readonly description?: string;
  readonly schedule: ScheduleChoice;
  /** Where the data come from, for the output: inline moments, eigenvalues, or a file as written in the spec. */
  readonly dataSource: { readonly kind: 'inline' | 'eigenvalues' } | { readonly kind: 'samples'; readonly file: string; readonly format: SampleFormat };
  /** Whether the weighting was given (the default is stated in the output). */
  readonly weightingGiven: boolean;
}

const TOP_KEYS = ['data', 'schedule', 'encoder', 'regularization', 'weighting', 'timesteps', 'description',
  // issue 19: the flow-matching columns
  'flow'];

/** Reads, parses and validates the spec at `path` (named `file` in messages); files it names are relative to it. */
export function loadBiasSpec(path: string, file = path): BiasSpec {
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
  return parseBiasSpec(json, file, (name) => ({ path: resolve(dirname(path), name), shown: isAbsolute(name) ? name : join(dirname(file), name) }));
}

/**
 * Validates a parsed spec. `locate(name)` resolves a file named in the spec to a path to open
 * and the name to show in messages (injected for tests).
 */
export function parseBiasSpec(json: unknown, file: string, locate: (name: string) => { path: string; shown: string } = (n) => ({ path: n, shown: n })): BiasSpec {
  const fail = (field: string, detail: string): never => {
    throw new BiasSpecError(file, field, detail);
  };
  const wrap = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof ScorecheckError && !(e instanceof BiasSpecError)) {
        const m = e.message, i = m.indexOf(':');
        throw new BiasSpecError(file, i > 0 ? m.slice(0, i) : '(value)', i > 0 ? m.slice(i + 1).trim() : m);
      }
      throw e;
    }
  };
  const spec = object(json, '(root)', fail);
  for (const k of Object.keys(spec)) if (!TOP_KEYS.includes(k)) fail(k, `unknown key (expected ${TOP_KEYS.join(', ')})`);
  if (spec.description !== undefined && typeof spec.description !== 'string') fail('description', 'must be a string');

  // data
  const dataSpec = object(spec.data, 'data', fail);
  let data: BiasData;
  let dataSource: BiasSpec['dataSource'];
  let d: number;
  if ('samples' in dataSpec) {
    for (const k of Object.keys(dataSpec)) if (k !== 'samples' && k !== 'format') fail(`data.${k}`, 'give either samples (with an optional format), mean + cov, or eigenvalues');
    if (typeof dataSpec.samples !== 'string' || dataSpec.samples === '') fail('data.samples', 'must be a file name (CSV or .npy)');
    if (dataSpec.format !== undefined && dataSpec.format !== 'csv' && dataSpec.format !== 'npy') fail('data.format', `must be "csv" or "npy" (got ${JSON.stringify(dataSpec.format)})`);
    const { path, shown } = locate(dataSpec.samples as string);
    const format = sampleFormatOf(path, dataSpec.format as SampleFormat | undefined);
    data = { kind: 'file', path, format, name: shown };
    dataSource = { kind: 'samples', file: dataSpec.samples as string, format };
    d = -1; // known after reading
  } else if ('eigenvalues' in dataSpec) {
    for (const k of Object.keys(dataSpec)) if (k !== 'eigenvalues' && k !== 'dim') fail(`data.${k}`, 'unknown key with eigenvalues (expected eigenvalues, dim)');
    const ev = numberArray(dataSpec.eigenvalues, 'data.eigenvalues', fail);
    const dim = dataSpec.dim === undefined ? ev.length : dataSpec.dim;
    if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < ev.length) fail('data.dim', `must be an integer ≥ the number of eigenvalues (${ev.length}) (got ${JSON.stringify(dataSpec.dim)})`);
    data = { kind: 'eigenvalues', eigenvalues: ev, dim: dim as number };
    dataSource = { kind: 'eigenvalues' };
    d = dim as number;
  } else {
    for (const k of Object.keys(dataSpec)) if (k !== 'mean' && k !== 'cov') fail(`data.${k}`, 'unknown key (expected cov and an optional mean, samples, or eigenvalues)');
    const cov = matrixRows(dataSpec.cov, 'data.cov', fail);
    d = cov.length;
    if (cov[0].length !== d) fail('data.cov', `must be square (got ${cov.length}×${cov[0].length})`);
    if (dataSpec.mean !== undefined) {
      const mean = numberArray(dataSpec.mean, 'data.mean', fail);
      if (mean.length !== d) fail('data.mean', `has ${mean.length} entries, data.cov is ${d}×${d} (the mean does not enter any reported quantity, but must match)`);
    }
    const m = fromRows(cov, 'data.cov');
    for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) {
      const a = m.data[i * d + j], b = m.data[j * d + i];
      if (Math.abs(a - b) > 1e-10 * Math.max(1, Math.abs(a), Math.abs(b))) fail(`data.cov[${i}][${j}]`, `${a} differs from data.cov[${j}][${i}] = ${b}: a covariance is symmetric`);
    }
    data = { kind: 'covariance', cov: m };
    dataSource = { kind: 'inline' };
  }

  // A flow-matching spec may leave out the DSM schedule: the DSM columns then use the ddpm preset, for comparison.
  const schedule: ScheduleChoice = spec.schedule === undefined && spec.flow !== undefined
    ? { schedule: SCHEDULE_PRESETS.ddpm(), source: 'preset "ddpm" (not given: for comparison with the flow-matching columns)', notes: ['schedule not given: the DSM table uses the ddpm preset for comparison; the flow-matching section is the one for your setting'] }
    : parseScheduleSpec(spec.schedule, fail, wrap);
  const T = schedule.schedule.T;

  // encoder (optional): B inline, or a file (CSV / .npy) with k rows of d values.
  let encoder: LinearEncoder | undefined;
  if (spec.encoder !== undefined) {
    const enc = object(spec.encoder, 'encoder', fail);
    for (const k of Object.keys(enc)) if (!['B', 'b', 'tau'].includes(k)) fail(`encoder.${k}`, 'unknown key (expected B, b, tau)');
    if (data.kind === 'eigenvalues') fail('encoder', 'needs the data as a covariance or samples: with eigenvalues alone the encoder rows cannot be expressed in the eigenbasis');
    const B = typeof enc.B === 'string' ? readMatrixFile(enc.B, locate, 'encoder.B', fail) : fromRows(matrixRows(enc.B, 'encoder.B', fail), 'encoder.B');
    if (d >= 0 && B.cols !== d) fail('encoder.B', `must have ${d} columns (the data dimension), got ${B.cols}`);
    const b = enc.b === undefined ? new Array<number>(B.rows).fill(0) : numberArray(enc.b, 'encoder.b', fail);
    if (b.length !== B.rows) fail('encoder.b', `has ${b.length} entries, encoder.B has ${B.rows} rows`);
    if (typeof enc.tau !== 'number' || !(enc.tau > 0) || !Number.isFinite(enc.tau)) fail('encoder.tau', `must be a number > 0 (got ${JSON.stringify(enc.tau)})`);
    encoder = { B, b: Float64Array.from(b), tau: enc.tau as number };
    if (d >= 0) wrap(() => requireLinearEncoder(encoder!, d));
  }

  // regularization (optional)
  let regularization = 0;
  if (spec.regularization !== undefined) {
    const r = spec.regularization;
    if (typeof r !== 'number' || !Number.isFinite(r) || r < 0) fail('regularization', `must be a number ≥ 0 (got ${JSON.stringify(r)})`);
    regularization = r as number;
  }

  // weighting (optional)
  let weighting: BiasWeighting | undefined;
  if (spec.weighting !== undefined) {
    const w = object(spec.weighting, 'weighting', fail);
    for (const k of Object.keys(w)) if (k !== 'parameterization' && k !== 'weights') fail(`weighting.${k}`, 'unknown key (expected parameterization, weights)');
    const p = w.parameterization ?? 'eps';
    if (!PARAMETERIZATIONS.includes(p as Parameterization)) fail('weighting.parameterization', `must be one of ${PARAMETERIZATIONS.map((x) => JSON.stringify(x)).join(', ')} (got ${JSON.stringify(p)})`);
    let weights: TimestepWeights = 'uniform';
    const ws = w.weights;
    if (ws === undefined || ws === 'uniform' || ws === 'snr') weights = (ws ?? 'uniform') as TimestepWeights;
    else if (Array.isArray(ws)) {
      if (ws.length !== T) fail('weighting.weights', `has ${ws.length} entries, the schedule has T = ${T} timesteps`);
      ws.forEach((x, i) => {
        if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) fail(`weighting.weights[${i}]`, `must be a finite number ≥ 0 (got ${JSON.stringify(x)})`);
      });
      if (!ws.some((x) => (x as number) > 0)) fail('weighting.weights', 'are all 0');
      weights = ws as number[];
    } else if (typeof ws === 'object' && ws !== null && Object.keys(ws).length === 1 && 'minSnr' in ws) {
      const g = (ws as { minSnr: unknown }).minSnr;
      if (typeof g !== 'number' || !(g > 0) || !Number.isFinite(g)) fail('weighting.weights.minSnr', `must be a number > 0 (got ${JSON.stringify(g)})`);
      weights = { minSnr: g as number };
    } else fail('weighting.weights', `must be "uniform", "snr", { "minSnr": γ } or a list of T = ${T} numbers (got ${JSON.stringify(ws)})`);
    weighting = { parameterization: p as Parameterization, weights };
  }

  // timesteps: "all" (default), a list, or { stride, start? }.
  const timesteps = parseTimesteps(spec.timesteps, T, fail);

  const input: BiasInput = {
    data,
    schedule: schedule.schedule,
    ...(encoder ? { encoder } : {}),
    regularization,
    timesteps,
    ...(weighting ? { weighting } : {}),
    ...(spec.flow !== undefined ? { flow: parseFlowBiasSpec(spec.flow, fail, wrap) } : {}),
  };
  return { input, ...(typeof spec.description === 'string' ? { description: spec.description } : {}), schedule, dataSource, weightingGiven: weighting !== undefined };
}

function parseTimesteps(ts: unknown, Tn: number, fail: Fail): number[] {
  if (ts === undefined || ts === 'all') return Array.from({ length: Tn }, (_, i) => i + 1);
  if (Array.isArray(ts)) {
    if (ts.length === 0) fail('timesteps', 'must not be empty');
    ts.forEach((t, i) => {
      if (typeof t !== 'number' || !Number.isInteger(t) || t < 1 || t > Tn) fail(`timesteps[${i}]`, `must be an integer in [1, ${Tn}] (got ${JSON.stringify(t)})`);
    });
    return [...new Set(ts as number[])].sort((a, b) => a - b);
  }
  if (typeof ts === 'object' && ts !== null) {
    const o = ts as Record<string, unknown>;
    for (const k of Object.keys(o)) if (k !== 'stride' && k !== 'start') fail(`timesteps.${k}`, 'unknown key (expected stride, start)');
    const stride = o.stride, start = o.start ?? 1;
    if (typeof stride !== 'number' || !Number.isInteger(stride) || stride < 1) fail('timesteps.stride', `must be an integer ≥ 1 (got ${JSON.stringify(stride)})`);
    if (typeof start !== 'number' || !Number.isInteger(start) || start < 1 || start > Tn) fail('timesteps.start', `must be an integer in [1, ${Tn}] (got ${JSON.stringify(start)})`);
    const out: number[] = [];
    for (let t = start as number; t <= Tn; t += stride as number) out.push(t);
    if (out[out.length - 1] !== Tn) out.push(Tn);
    return out;
  }
  return fail('timesteps', `must be "all", a list of timesteps or { "stride": k } (got ${JSON.stringify(ts)})`);
}

/** A matrix (encoder B) from a CSV or .npy file named in the spec: k rows of d values. */
function readMatrixFile(name: string, locate: (name: string) => { path: string; shown: string }, field: string, fail: Fail): Matrix {
  const { path, shown } = locate(name);
  const format = sampleFormatOf(path);
  try {
    if (format === 'npy') {
      let d = 0;
      const rows: number[] = [];
      const h = readNpyRows(path, shown, (hd) => {
        d = hd.d;
      }, (block, count) => {
        for (let i = 0; i < count * d; i++) rows.push(block[i]);
      });
      return { rows: h.n, cols: d, data: Float64Array.from(rows) };
    }
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return fail(field, `cannot read ${shown}`);
    }
    const p = parseSamplesCsv(text, shown);
    return { rows: p.n, cols: p.d, data: p.data };
  } catch (e) {
    if (e instanceof ScorecheckError && !(e instanceof BiasSpecError)) return fail(field, e.message);
    throw e;
  }
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

/** A message folded onto one line (white space collapsed), at most 120 characters: error output stays one line. */
export function oneLine(message: string): string {
  const line = message.replace(/\s+/g, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}
