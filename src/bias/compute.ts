import type { VPSchedule } from '../diffusion/schedule.ts';
import { InvalidArgumentError } from '../errors.ts';
import { type Matrix, zeros } from '../linalg/index.ts';
import { symmetrizeFromLower, syrkLower } from '../linalg/gram.ts';
import { type LinearEncoder, requireLinearEncoder } from '../models/linearEncoder.ts';
import { type EffectiveSpectrum, encoderPosteriorSpectrum, regularizedSpectrum, requireRegularization } from './posterior.ts';
import { type BiasRow, spectralBiasRows } from './rows.ts';
import { type SampleMoments, centeredTimesBt, gramOfRows, sampleMoments } from './samples.ts';
import { type CovarianceSpectrum, spectrumFromCovariance, spectrumFromEigenvalues, spectrumFromGram } from './spectrum.ts';
import { type BiasTotals, DEFAULT_WEIGHTING, type Weighting, biasTotals, requireWeighting } from './weighting.ts';

/** The data, in any of the forms the calculator accepts (in memory). */
export type BiasData =
  /** A d × d covariance, symmetric positive semidefinite (up to rounding, or after the regularizer). */
  | { readonly kind: 'covariance'; readonly cov: Matrix }
  /** n samples as the rows of an n × d matrix. */
  | { readonly kind: 'samples'; readonly samples: Matrix }
  /** Moments of samples streamed from a file (readSamplesFile). */
  | { readonly kind: 'moments'; readonly moments: SampleMoments; readonly file?: string }
  /** Eigenvalues of Σ; `dim` ≥ their count, the rest are 0. No encoder (no eigenvectors). */
  | { readonly kind: 'eigenvalues'; readonly eigenvalues: ArrayLike<number>; readonly dim?: number };

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
  readonly weighting?: Weighting;
}

export type BiasRoute = 'covariance-eigen' | 'gram-eigen' | 'eigenvalues';

export interface BiasResult {
  readonly d: number;
  /** Samples, when the data were samples. */
  readonly n?: number;
  /** How Σ's spectrum was obtained (MATH.md §2.1). */
  readonly route: BiasRoute;
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
 * with an encoder, then O(rank) per timestep. Single-threaded; `computeBias` (async)
 * also reads files and uses both cores for large Gram matrices.
 */
export function computeBiasSync(input: BiasInput, opts: BiasOptions = {}): BiasResult {
  const timings: Record<string, number> = {};
  const d = dataDim(input.data);
  const eps = requireRegularization(input.regularization ?? 0);
  if (input.encoder) requireLinearEncoder(input.encoder, d);
  let t0 = performance.now();
  let spectrum: CovarianceSpectrum;
  let route: BiasRoute;
  let n: number | undefined;
  const data = input.data;
  if (data.kind === 'eigenvalues') {
    if (input.encoder) throw new InvalidArgumentError('encoder', 'eigenvalues only', 'an encoder needs the covariance or the samples (its rows must be expressed in the eigenbasis)');
    spectrum = spectrumFromEigenvalues(data.eigenvalues, data.dim ?? data.eigenvalues.length, 'data.eigenvalues', eps);
    route = 'eigenvalues';
  } else if (data.kind === 'covariance') {
    spectrum = spectrumFromCovariance(data.cov, { field: 'data.cov', regularization: eps, ...(input.encoder ? { encoderB: input.encoder.B } : {}), ...progressOf(opts, 'eigen') });
    route = 'covariance-eigen';
  } else {
    const moments = data.kind === 'samples' ? sampleMoments(data.samples) : data.moments;
    n = moments.n;
    timings.moments = performance.now() - t0;
    t0 = performance.now();
    if (moments.route === 'covariance') {
      spectrum = spectrumFromCovariance(moments.cov, { field: 'data.samples (covariance)', regularization: eps, samples: moments.n, overwrite: true, ...(input.encoder ? { encoderB: input.encoder.B } : {}), ...progressOf(opts, 'eigen') });
      route = 'covariance-eigen';
    } else {
      const K = zeros(moments.n, moments.n);
      syrkLower(moments.centered, moments.n, d, d, K.data, moments.n);
      symmetrizeFromLower(K.data, moments.n);
      timings.gram = performance.now() - t0;
      t0 = performance.now();
      spectrum = spectrumFromGram(K, moments.n, d, {
        regularization: eps,
        ...(input.encoder ? { XcBt: centeredTimesBt(moments.centered, moments.n, d, input.encoder.B), BBt: gramOfRows(input.encoder.B) } : {}),
        ...progressOf(opts, 'eigen'),
      });
      route = 'gram-eigen';
    }
  }
  timings.eigen = performance.now() - t0;
  return finishBias(input, spectrum, route, n, eps, timings, opts);
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
  const tr = (s: EffectiveSpectrum) => s.values.reduce((x, v) => x + v, 0) + s.restCount * s.restValue;
  return {
    d,
    ...(n !== undefined ? { n } : {}),
    route,
    regularization: eps,
    spectrum: { rank: spectrum.rank, rankTolerance: spectrum.rankTolerance, clamped: spectrum.clamped, eigenvalues: dataSp.values, zeros: dataSp.restCount, trace: tr(dataSp) },
    ...(input.encoder ? { posterior: { eigenvalues: post.values, zeros: post.restCount, trace: tr(post) }, encoder: { k: input.encoder.B.rows, tau: input.encoder.tau } } : {}),
    rows,
    totals,
    timings,
  };
}

function dataDim(data: BiasData): number {
  switch (data.kind) {
    case 'covariance': return data.cov.rows;
    case 'samples': return data.samples.cols;
    case 'moments': return data.moments.d;
    case 'eigenvalues': return data.dim ?? data.eigenvalues.length;
  }
}

function progressOf(opts: BiasOptions, phase: string): { onProgress?: (done: number, total: number) => void } {
  const p = opts.onProgress;
  return p ? { onProgress: (done, total) => p(phase, done, total) } : {};
}
