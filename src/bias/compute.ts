import type { VPSchedule } from '../diffusion/schedule.ts';
import { InvalidArgumentError } from '../errors.ts';
import { type Matrix, zeros } from '../linalg/index.ts';
import { GramEngine, type Region } from '../linalg/gramSimd.ts';
import { type LinearEncoder, requireLinearEncoder } from '../models/linearEncoder.ts';
import { type EffectiveSpectrum, encoderPosteriorSpectrum, regularizedSpectrum, requireRegularization } from './posterior.ts';
import { type BiasRow, spectralBiasRows } from './rows.ts';
import { type SampleFormat, readSamplesFile } from './readSamples.ts';
import { type SampleMoments, centeredTimesBt, gramOfRows, sampleMoments } from './samples.ts';
import { type CovarianceSpectrum, spectrumFromCovariance, spectrumFromEigenvalues, spectrumFromGram } from './spectrum.ts';
import { type BiasTotals, DEFAULT_WEIGHTING, type BiasWeighting, biasTotals, requireWeighting } from './weighting.ts';
import { type FlowBiasResult, type FlowBiasSetting, flowBias, requireFlowBiasSetting } from './flowColumns.ts';

/** The data, in any of the forms the calculator accepts (in memory). */
export type BiasData =
  /** A d × d covariance, symmetric positive semidefinite (up to rounding, or after the regularizer). */
  | { readonly kind: 'covariance'; readonly cov: Matrix }
  /** n samples as the rows of an n × d matrix. */
  | { readonly kind: 'samples'; readonly samples: Matrix }
  /** Moments of samples streamed from a file (readSamplesFile). */
  | { readonly kind: 'moments'; readonly moments: SampleMoments; readonly file?: string }
  /** Eigenvalues of Σ; `dim` ≥ their count, the rest are 0. No encoder (no eigenvectors). */
  | { readonly kind: 'eigenvalues'; readonly eigenvalues: ArrayLike<number>; readonly dim?: number }
  /** A samples file, read streamed by `computeBias` (async): CSV, or NumPy .npy (by extension unless `format`). */
  | { readonly kind: 'file'; readonly path: string; readonly format?: SampleFormat; readonly name?: string };

/** Everything `computeBias` needs. */
export interface BiasInput {
  readonly data: BiasData;
  readonly schedule: VPSchedule;
  readonly encoder?: LinearEncoder;
  /** ε ≥ 0: analyse Σ + εI (default 0). Stated in the output. */
  readonly regularization?: number;
  /** Timesteps for the table, each in 1..T (default all). The totals always cover 1..T. */
  readonly timesteps?: readonly number[];
  /** λ_t and the parameterization for the totals (default ε, uniform: DDPM's L_simple). */
  readonly weighting?: BiasWeighting;
  /** Flow matching (issue 19): the flow-matching columns for this path, times, time law and weighting. */
  readonly flow?: FlowBiasSetting;
}

export type BiasRoute = 'covariance-eigen' | 'gram-eigen' | 'eigenvalues';

export interface BiasResult {
  readonly d: number;
  /** Samples, when the data were samples. */
  readonly n?: number;
  /** The samples file, when read from one. */
  readonly source?: { readonly file: string; readonly format: SampleFormat; readonly n: number; readonly header?: readonly string[]; readonly shape?: readonly number[] };
  /** How Σ's spectrum was obtained (MATH.md §2.1). */
  readonly route: BiasRoute;
  readonly schedule: { readonly name: string; readonly T: number };
  readonly regularization: number;
  readonly spectrum: {
    readonly rank: number;
    readonly rankTolerance: number;
    /** Eigenvalues within ±rankTolerance set to exactly 0. */
    readonly clamped: number;
    /** Eigenvalues of Σ + εI, descending, with `zeros` more equal to ε (or 0). */
    readonly eigenvalues: Float64Array;
    readonly zeros: number;
    readonly trace: number;
  };
  readonly posterior?: { readonly eigenvalues: Float64Array; readonly zeros: number; readonly trace: number };
  readonly encoder?: { readonly k: number; readonly tau: number };
  readonly rows: readonly BiasRow[];
  readonly totals: BiasTotals;
  /** The flow-matching columns (MATH.md §19.9), when `input.flow` is given. */
  readonly flow?: FlowBiasResult;
  /** Wall time of each phase, ms. */
  readonly timings: Readonly<Record<string, number>>;
}

export interface BiasProgress {
  (phase: string, done: number, total: number): void;
}

export interface BiasOptions {
  readonly onProgress?: BiasProgress;
}

/**
 * The bias table and weighted totals for in-memory data (MATH.md §2, §2.1): one symmetric
 * eigendecomposition (of Σ, or of the n × n Gram matrix when n ≤ d), one more of Σ_{x|c}
 * with an encoder, then O(rank) per timestep. On the calling thread only; `computeBias`
 * (async) also reads files and uses worker threads for large Gram matrices.
 */
export function computeBiasSync(input: BiasInput, opts: BiasOptions = {}): BiasResult {
  if (input.data.kind === 'file') throw new InvalidArgumentError('data', 'file', 'reading a file needs computeBias (async)');
  const engine = new GramEngine({ threads: 1 });
  const timings: Record<string, number> = {};
  const prep = prepare(input, engine, timings);
  if (prep.kind === 'spectrum') return finishBias(input, prep.spectrum, prep.route, prep.n, prep.eps, timings, opts);
  const t0 = performance.now();
  prep.m.centered.engine.syrkSync(prep.m.centered, prep.m.n, prep.m.d, prep.m.stride, prep.K, prep.ldc);
  timings.gram = performance.now() - t0;
  return finishGram(input, prep, timings, opts);
}

/**
 * `computeBiasSync`, plus: data from a file (CSV or .npy, streamed), the Gram matrix on
 * `threads` threads (default 2) with the WebAssembly SIMD kernel, progress callbacks.
 */
export async function computeBias(input: BiasInput, opts: BiasOptions & { readonly threads?: number } = {}): Promise<BiasResult> {
  const engine = new GramEngine({ threads: opts.threads ?? 2 });
  try {
    const timings: Record<string, number> = {};
    let t0 = performance.now();
    let effective = input;
    let source: BiasResult['source'];
    if (input.data.kind === 'file') {
      const read = readSamplesFile(input.data, engine, progressOf(opts, 'reading').onProgress);
      effective = { ...input, data: { kind: 'moments', moments: read.moments, file: input.data.name ?? input.data.path } };
      source = { file: input.data.name ?? input.data.path, format: read.format, n: read.moments.n, ...(read.header ? { header: read.header } : {}), ...(read.shape ? { shape: read.shape } : {}) };
      timings.read = performance.now() - t0;
    }
    const prep = prepare(effective, engine, timings);
    let result: BiasResult;
    if (prep.kind === 'spectrum') result = finishBias(effective, prep.spectrum, prep.route, prep.n, prep.eps, timings, opts);
    else {
      t0 = performance.now();
      const p = progressOf(opts, 'Gram matrix').onProgress;
      const owner = prep.m.centered.engine;
      // Rows read by this call live in `engine` (2 threads); moments passed in keep their engine's threads.
      await owner.syrk(prep.m.centered, prep.m.n, prep.m.d, prep.m.stride, prep.K, prep.ldc, p);
      timings.gram = performance.now() - t0;
      result = finishGram(effective, prep, timings, opts);
    }
    return source ? { ...result, source } : result;
  } finally {
    await engine.close();
  }
}

type Prepared =
  | { readonly kind: 'spectrum'; readonly spectrum: CovarianceSpectrum; readonly route: BiasRoute; readonly n?: number; readonly eps: number }
  | { readonly kind: 'gram'; readonly m: Extract<SampleMoments, { route: 'gram' }>; readonly K: Region; readonly ldc: number; readonly eps: number };

/** Validates, reduces samples to moments, and either finishes Σ's spectrum or sets up the Gram product. */
function prepare(input: BiasInput, engine: GramEngine, timings: Record<string, number>): Prepared {
  const data = input.data;
  if (data.kind === 'file') throw new InvalidArgumentError('data', 'file', 'read the file first');
  const d = dataDim(data);
  const eps = requireRegularization(input.regularization ?? 0);
  if (input.encoder) requireLinearEncoder(input.encoder, d);
  const t0 = performance.now();
  if (data.kind === 'eigenvalues') {
    if (input.encoder) throw new InvalidArgumentError('encoder', 'eigenvalues only', 'an encoder needs the covariance or the samples (its rows must be expressed in the eigenbasis)');
    return { kind: 'spectrum', spectrum: spectrumFromEigenvalues(data.eigenvalues, data.dim ?? data.eigenvalues.length, 'data.eigenvalues', eps), route: 'eigenvalues', eps };
  }
  if (data.kind === 'covariance') {
    const spectrum = spectrumFromCovariance(data.cov, { field: 'data.cov', regularization: eps, ...(input.encoder ? { encoderB: input.encoder.B } : {}) });
    timings.eigen = performance.now() - t0;
    return { kind: 'spectrum', spectrum, route: 'covariance-eigen', eps };
  }
  const moments = data.kind === 'samples' ? sampleMoments(data.samples, 'data.samples', engine) : data.moments;
  if (data.kind === 'samples') timings.moments = performance.now() - t0;
  if (moments.route === 'covariance') {
    const t1 = performance.now();
    const spectrum = spectrumFromCovariance(moments.cov, { field: `${data.kind === 'moments' && data.file ? data.file : 'data.samples'} (sample covariance)`, regularization: eps, samples: moments.n, overwrite: true, ...(input.encoder ? { encoderB: input.encoder.B } : {}) });
    timings.eigen = performance.now() - t1;
    return { kind: 'spectrum', spectrum, route: 'covariance-eigen', n: moments.n, eps };
  }
  const ldc = Math.ceil(moments.n / 4) * 4;
  // K lives with the rows (moments read earlier may belong to another engine).
  return { kind: 'gram', m: moments, K: moments.centered.engine.alloc(ldc * ldc), ldc, eps };
}

function finishGram(input: BiasInput, prep: Extract<Prepared, { kind: 'gram' }>, timings: Record<string, number>, opts: BiasOptions): BiasResult {
  const { m, ldc, eps } = prep;
  const n = m.n, d = m.d;
  const t0 = performance.now();
  const Kv = prep.K.view();
  const K = zeros(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) K.data[i * n + j] = Kv[i * ldc + j];
  const spectrum = spectrumFromGram(K, n, d, {
    regularization: eps,
    ...(input.encoder ? { XcBt: centeredTimesBt(m.centered.view(), n, d, input.encoder.B, m.stride), BBt: gramOfRows(input.encoder.B) } : {}),
    ...progressOf(opts, 'eigendecomposition'),
  });
  timings.eigen = performance.now() - t0;
  return finishBias(input, spectrum, 'gram-eigen', n, eps, timings, opts);
}

/** From Σ's spectrum on: the posterior spectrum, the rows and the totals. */
export function finishBias(input: BiasInput, spectrum: CovarianceSpectrum, route: BiasRoute, n: number | undefined, eps: number, timings: Record<string, number>, opts: BiasOptions = {}): BiasResult {
  const d = spectrum.d;
  const schedule = input.schedule;
  const timesteps = input.timesteps ?? Array.from({ length: schedule.T }, (_, i) => i + 1);
  timesteps.forEach((t, i) => {
    if (!Number.isInteger(t) || t < 1 || t > schedule.T) throw new InvalidArgumentError(`timesteps[${i}]`, t, `must be an integer in [1, ${schedule.T}]`);
  });
  const weighting = requireWeighting(input.weighting ?? DEFAULT_WEIGHTING, schedule.T);
  if (input.flow) requireFlowBiasSetting(input.flow);
  let t0 = performance.now();
  const dataSp = regularizedSpectrum(spectrum, eps);
  let post: EffectiveSpectrum = dataSp;
  if (input.encoder) {
    post = encoderPosteriorSpectrum(spectrum, input.encoder.tau, eps, progressOf(opts, 'posterior eigen').onProgress);
    timings.posterior = performance.now() - t0;
  }
  t0 = performance.now();
  const rows = spectralBiasRows(dataSp, post, d, schedule, timesteps);
  const totals = biasTotals(dataSp, post, d, schedule, weighting);
  timings.timesteps = performance.now() - t0;
  let flow: FlowBiasResult | undefined;
  if (input.flow) {
    t0 = performance.now();
    flow = flowBias(dataSp, post, input.flow);
    timings.flow = performance.now() - t0;
  }
  const tr = (s: EffectiveSpectrum) => s.values.reduce((x, v) => x + v, 0) + s.restCount * s.restValue;
  return {
    d,
    ...(n !== undefined ? { n } : {}),
    route,
    schedule: { name: schedule.name, T: schedule.T },
    regularization: eps,
    spectrum: { rank: spectrum.rank, rankTolerance: spectrum.rankTolerance, clamped: spectrum.clamped, eigenvalues: dataSp.values, zeros: dataSp.restCount, trace: tr(dataSp) },
    ...(input.encoder ? { posterior: { eigenvalues: post.values, zeros: post.restCount, trace: tr(post) }, encoder: { k: input.encoder.B.rows, tau: input.encoder.tau } } : {}),
    rows,
    totals,
    ...(flow ? { flow } : {}),
    timings,
  };
}

function dataDim(data: BiasData): number {
  switch (data.kind) {
    case 'covariance': return data.cov.rows;
    case 'samples': return data.samples.cols;
    case 'moments': return data.moments.d;
    case 'eigenvalues': return data.dim ?? data.eigenvalues.length;
    case 'file': throw new InvalidArgumentError('data', 'file', 'read the file first');
  }
}

function progressOf(opts: BiasOptions, phase: string): { onProgress?: (done: number, total: number) => void } {
  const p = opts.onProgress;
  return p ? { onProgress: (done, total) => p(phase, done, total) } : {};
}
