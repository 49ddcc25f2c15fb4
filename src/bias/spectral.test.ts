import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { gaussian } from '../arbitraries/gaussian.ts';
import { fromScore } from '../diffusion/parameterization.ts';
import { cosineSchedule, linearSchedule, sqrtLinearSchedule, vpFromAlphaBars } from '../diffusion/schedule.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { type Matrix, addScaledIdentity, fromRows, zeros } from '../linalg/index.ts';
import { symmetricEigenvalues } from '../linalg/tridiagonalEigen.ts';
import { createRng } from '../mc/rng.ts';
import { linearEncoderPosteriorCovariance } from '../theory/inputBias.ts';
import type { LinearEncoder } from '../models/linearEncoder.ts';
import { type BiasInput, computeBias, computeBiasSync } from './compute.ts';
import { denseBiasRows } from './dense.ts';
import type { BiasRow } from './rows.ts';
import { GramEngine } from '../linalg/gramSimd.ts';
import { sampleMoments } from './samples.ts';
import { PARAMETERIZATIONS, type BiasWeighting, timestepWeight, unitFactor } from './weighting.ts';

const rel = (x: number, y: number) => Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y), 1e-300);
const TOL = 1e-10;

/**
 * Spectral row against dense row. Quantities the dense path computes without cancellation
 * are compared relatively; DSM/ESM at the collapse are computed densely as sums of terms of
 * size d/s² that cancel, so their dense error is ε·d/s² and they are compared on that scale; so is
 * the dense a²tr(P²Σ) (P = (a²Σ + s²I)⁻¹ formed explicitly: against 50-digit mpmath it is off by up
 * to 5e-9 relative on PSD + 1e-6·I data, the spectral sum by 3e-11 — golden.test.ts checks it there).
 */
function rowsAgree(d: number, a: BiasRow, b: BiasRow, tol = TOL, encoderTol = tol): string | undefined {
  const scale = d / (a.s * a.s);
  const checks: [string, number, number, 'rel' | 'enc' | 'scale'][] = [
    ['alphaBar', a.alphaBar, b.alphaBar, 'rel'],
    ['conditionalScoreNorm', a.conditionalScoreNorm, b.conditionalScoreNorm, 'rel'],
    ['Ct', a.Ct, b.Ct, 'rel'],
    ['inputBiasTerm', a.inputBiasTerm, b.inputBiasTerm, 'enc'],
    ['inputBiasGap', a.inputBiasGap, b.inputBiasGap, 'enc'],
    ['esmOptimalVariance', a.sds.esmOptimalVariance, b.sds.esmOptimalVariance, 'rel'],
    ['dsmAtTarget', a.sds.dsmAtTarget, b.sds.dsmAtTarget, 'scale'],
    ['dsmAtCollapse', a.sds.dsmAtCollapse, b.sds.dsmAtCollapse, 'scale'],
    ['esmAtCollapse', a.sds.esmAtCollapse, b.sds.esmAtCollapse, 'scale'],
    ['collapseAdvantage', a.sds.collapseAdvantage, b.sds.collapseAdvantage, 'scale'],
    ['scoreNormAtTarget', a.sds.scoreNormAtTarget, b.sds.scoreNormAtTarget, 'rel'],
  ];
  for (const [name, x, y, kind] of checks) {
    const err = kind === 'scale' ? Math.abs(x - y) / scale : rel(x, y);
    const limit = kind === 'enc' ? encoderTol : tol;
    if (!(err <= limit)) return `t = ${a.t}: ${name} spectral ${x} vs dense ${y} (error ${err.toExponential(2)} > ${limit})`;
  }
  return undefined;
}

function expectAgree(d: number, spectral: readonly BiasRow[], dense: readonly BiasRow[], tol = TOL, encoderTol = tol): void {
  expect(spectral.length).toBe(dense.length);
  for (let i = 0; i < spectral.length; i++) expect(rowsAgree(d, spectral[i], dense[i], tol, encoderTol)).toBeUndefined();
}

/**
 * The encoder's quantities go through Σ_{x|c} = Σ − ΣBᵀ(BΣBᵀ + τ²I)⁻¹BΣ: entries of size ‖Σ‖ cancel down to
 * λ_min(Σ_{x|c}), so each route carries a relative error of order ε·κ_c, κ_c = λ_max(Σ)/λ_min(Σ_{x|c}) (both
 * Schur complements; seed 4 found d = 1, Σ = 251, τ = 0.05: Σ_{x|c} = 7.1e-4, routes 1.05e-10 apart).
 * Tolerance max(TOL, 16·d·ε·κ_c).
 */
function encoderTolerance(data: Gaussian, encoder: LinearEncoder | undefined): number {
  if (!encoder) return TOL;
  const ev = (m: Matrix) => symmetricEigenvalues(m, 'cov');
  const hi = Math.max(...ev(data.cov)), lo = Math.min(...ev(linearEncoderPosteriorCovariance(data, encoder)));
  return Math.max(TOL, (16 * data.dim * Number.EPSILON * hi) / lo);
}

function encoderOf(seed: number, k: number, d: number, tau: number): LinearEncoder {
  const B = zeros(k, d);
  createRng(seed).fillNormal(B.data);
  return { B, b: new Float64Array(k), tau };
}

/**
 * n samples in dimension d of rank ≤ r (+ a duplicated column if asked), seeded. Moderate
 * scales on purpose: two double-precision routes to the same sample covariance differ by
 * rounding of size 2⁻⁵²‖Σ‖ in each eigenvalue, which moves a sum like Σ 1/(a²μ + s²) by up to
 * 2⁻⁵²·a²‖Σ‖/(a²μ_min + s²) relative — with ‖Σ‖ = 2500, μ_min = 1e-3 and s² = 1e-4 that is 5e-10,
 * and no method in doubles does better (checked against 50-digit mpmath). bias-spec.md states it.
 */
function lowRankSamples(n: number, d: number, r: number, seed: number, duplicate = false): Matrix {
  const rng = createRng(seed);
  const Z = rng.fillNormal(new Float64Array(n * r));
  const A = rng.fillNormal(new Float64Array(r * d));
  const X = zeros(n, d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0.3 + j * 0.01; // a mean, removed by centering
      for (let l = 0; l < r; l++) s += Z[i * r + l] * A[l * d + j] * (1 + 0.2 * l);
      X.data[i * d + j] = s;
    }
    if (duplicate) X.data[i * d + d - 1] = X.data[i * d];
  }
  return X;
}

const sampleCov = (X: Matrix): Matrix => {
  const m = sampleMoments(X);
  if (m.route === 'covariance') return m.cov;
  const { n, d, stride } = m;
  const centered = m.centered.view();
  const C = zeros(d, d);
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += centered[i * stride + a] * centered[i * stride + b];
    C.data[a * d + b] = s / (n - 1);
  }
  return C;
};

const setting = fc.record({
  data: gaussian({ maxDim: 6, maxConditionNumber: 1e4 }),
  T: fc.integer({ min: 1, max: 50 }),
  cosine: fc.boolean(),
  k: fc.integer({ min: 0, max: 4 }),
  tau: fc.double({ min: 0.05, max: 5, noNaN: true }),
  seed: fc.integer({ min: 0, max: 1e6 }),
});

describe('spectral route = dense route (1e-10 relative)', () => {
  test.prop([setting], { numRuns: 80 })('SPD covariance, with and without an encoder, every timestep', (c) => {
    const d = c.data.dim;
    const schedule = c.cosine ? cosineSchedule(c.T) : linearSchedule(c.T);
    const encoder = c.k > 0 ? encoderOf(c.seed, c.k, d, c.tau) : undefined;
    const timesteps = Array.from({ length: c.T }, (_, i) => i + 1);
    const spectral = computeBiasSync({ data: { kind: 'covariance', cov: c.data.cov }, schedule, ...(encoder ? { encoder } : {}), timesteps });
    const dense = denseBiasRows({ data: c.data, schedule, ...(encoder ? { encoder } : {}), timesteps });
    expectAgree(d, spectral.rows, dense, TOL, encoderTolerance(c.data, encoder));
  });

  it('seed 4 of the long run: d = 1, Σ = 251, τ = 0.05 — the routes differ by rounding within ε·κ_c, and an error of 1e-6 would not pass', () => {
    const data = new Gaussian([0], fromRows([[251.18864315095797]]));
    const encoder = encoderOf(907379, 1, 1, 0.05);
    const schedule = linearSchedule(1);
    const spectral = computeBiasSync({ data: { kind: 'covariance', cov: data.cov }, schedule, encoder, timesteps: [1] }).rows;
    const dense = denseBiasRows({ data, schedule, encoder, timesteps: [1] });
    const tol = encoderTolerance(data, encoder);
    expect(rel(spectral[0].inputBiasGap, dense[0].inputBiasGap)).toBeGreaterThan(TOL);
    expect(tol).toBeLessThan(1e-8);
    expectAgree(1, spectral, dense, TOL, tol);
    const wrong = spectral.map((r) => ({ ...r, inputBiasGap: r.inputBiasGap * (1 + 1e-6) }));
    expect(rowsAgree(1, wrong[0], dense[0], TOL, tol)).toMatch(/inputBiasGap/);
  });

  it('negative control: a spectral C_t with s in place of s² is rejected by the same comparison', () => {
    const c = fc.sample(setting, { seed: 3, numRuns: 1 })[0];
    const schedule = linearSchedule(20);
    const timesteps = Array.from({ length: 20 }, (_, i) => i + 1);
    const spectral = computeBiasSync({ data: { kind: 'covariance', cov: c.data.cov }, schedule, timesteps });
    const wrong = spectral.rows.map((r) => ({ ...r, Ct: (r.Ct * r.s * r.s) / r.s }));
    const dense = denseBiasRows({ data: c.data, schedule, timesteps });
    expect(wrong.some((r, i) => rowsAgree(c.data.dim, r, dense[i]) !== undefined)).toBe(true);
  });

  it('samples with n > d (covariance route) and n ≤ d (Gram route) equal the dense path on the sample covariance', () => {
    const schedule = linearSchedule(200);
    const timesteps = [1, 2, 5, 20, 50, 100, 150, 200];
    for (const [n, d] of [[40, 6], [7, 6], [5, 12], [12, 12]] as const) {
      const X = lowRankSamples(n, d, Math.min(n, d), 10 * n + d);
      const cov = sampleCov(X);
      for (const encoder of [undefined, encoderOf(n + d, 2, d, 0.4)]) {
        const r = computeBiasSync({ data: { kind: 'samples', samples: X }, schedule, timesteps, ...(encoder ? { encoder } : {}), regularization: n <= d ? 1e-3 : 0 });
        expect(r.route).toBe(n <= d ? 'gram-eigen' : 'covariance-eigen');
        const covReg = n <= d ? addScaledIdentity(cov, 1e-3) : cov;
        const dense = denseBiasRows({ data: new Gaussian(new Float64Array(d), covReg), schedule, timesteps, ...(encoder ? { encoder } : {}) });
        expectAgree(d, r.rows, dense);
      }
    }
  });

  it('PSD data (a duplicated column; fewer samples than d) with a regularizer ε equal the dense path on Σ + εI', () => {
    const schedule = cosineSchedule(100);
    const timesteps = [1, 3, 10, 30, 60, 100];
    for (const [n, d, r, dup] of [[50, 5, 4, true], [6, 20, 5, false], [30, 8, 3, true], [9, 9, 9, true]] as const) {
      const X = lowRankSamples(n, d, r, n * d, dup);
      const cov = sampleCov(X);
      for (const eps of [1e-2, 1e-6]) {
        for (const encoder of [undefined, encoderOf(d, 3, d, 0.7)]) {
          const res = computeBiasSync({ data: { kind: 'samples', samples: X }, schedule, timesteps, regularization: eps, ...(encoder ? { encoder } : {}) });
          const dense = denseBiasRows({ data: new Gaussian(new Float64Array(d), addScaledIdentity(cov, eps)), schedule, timesteps, ...(encoder ? { encoder } : {}) });
          // ε = 1e-6 makes Σ + εI ill-conditioned (κ up to 1e8): the dense path's Σ⁻¹ in the
          // information form (Σ⁻¹ + BᵀB/τ²)⁻¹ then loses digits (golden.test.ts: the spectral
          // route matches 50-digit mpmath to 1e-10 on such a case).
          expectAgree(d, res.rows, dense, eps >= 1e-2 ? 1e-10 : 1e-8);
        }
      }
    }
  });

  it('PSD without a regularizer: closed forms for a duplicated column (eigenvalues 2v and 0)', () => {
    // x = (u, u), u ~ N(0, v): Σ = v[[1,1],[1,1]] has eigenvalues 2v, 0.
    const v = 1.7;
    const schedule = vpFromAlphaBars([0.9, 0.5, 0.1]);
    const r = computeBiasSync({ data: { kind: 'covariance', cov: fromRows([[v, v], [v, v]]) }, schedule });
    expect(r.spectrum.rank).toBe(1);
    for (const row of r.rows) {
      const a2 = row.a * row.a, s2 = row.s * row.s;
      const x = a2 * 2 * v;
      expect(rel(row.Ct, x / (s2 * (x + s2)))).toBeLessThan(1e-14);
      expect(rel(row.sds.scoreNormAtTarget, 1 / (x + s2) + 1 / s2)).toBeLessThan(1e-14);
      expect(rel(row.sds.dsmAtCollapse, (x * x) / (s2 * (x + s2) ** 2))).toBeLessThan(1e-14);
    }
  });

  it('the Gram route without a regularizer equals the covariance route on the same samples (n < d, rank < n)', () => {
    const schedule = linearSchedule(100);
    const X = lowRankSamples(8, 30, 5, 99, true);
    const gram = computeBiasSync({ data: { kind: 'samples', samples: X }, schedule });
    const cov = computeBiasSync({ data: { kind: 'covariance', cov: sampleCov(X) }, schedule });
    expect(gram.route).toBe('gram-eigen');
    expect(gram.spectrum.rank).toBe(5);
    expect(cov.spectrum.rank).toBe(5);
    // The covariance route sees rounding-level eigenvalues in place of exact zeros: agreement to ~1e-10 of each sum.
    expectAgree(30, gram.rows, cov.rows, 1e-9);
    for (const enc of [encoderOf(1, 2, 30, 0.5)]) {
      const g = computeBiasSync({ data: { kind: 'samples', samples: X }, schedule, encoder: enc });
      const c = computeBiasSync({ data: { kind: 'covariance', cov: sampleCov(X) }, schedule, encoder: enc });
      expectAgree(30, g.rows, c.rows, 1e-9);
    }
  });

  it('eigenvalues given directly equal the covariance they come from', () => {
    const schedule = linearSchedule(50);
    const g = fc.sample(gaussian({ dim: 5 }), { seed: 8, numRuns: 1 })[0];
    const fromCov = computeBiasSync({ data: { kind: 'covariance', cov: g.cov }, schedule });
    const fromEig = computeBiasSync({ data: { kind: 'eigenvalues', eigenvalues: fromCov.spectrum.eigenvalues.slice(0, 3), dim: 5 }, schedule });
    const withZeros = computeBiasSync({ data: { kind: 'eigenvalues', eigenvalues: [...fromCov.spectrum.eigenvalues.slice(0, 3), 0, 0] }, schedule });
    expectAgree(5, fromEig.rows, withZeros.rows, 1e-14);
  });
});

describe('threads and engines', () => {
  it('moments read with one engine are multiplied by that engine (regression: a region used with another engine\'s memory)', async () => {
    const X = lowRankSamples(20, 50, 20, 6);
    const moments = sampleMoments(X, 'x', new GramEngine({ threads: 1 }));
    const schedule = linearSchedule(50);
    const viaMoments = computeBiasSync({ data: { kind: 'moments', moments }, schedule });
    const viaSamples = computeBiasSync({ data: { kind: 'samples', samples: X }, schedule });
    expect(viaMoments.rows).toEqual(viaSamples.rows);
    const again = sampleMoments(X, 'x', new GramEngine({ threads: 2 }));
    expect((await computeBias({ data: { kind: 'moments', moments: again }, schedule })).rows).toEqual(viaSamples.rows);
  });

  it('computeBias on 2 threads (a worker computes half the Gram tiles) equals computeBiasSync bit for bit', async () => {
    // n = 400, d = 1500: 1.2e8 multiply-adds, above the 5e7-per-thread threshold for a worker.
    const X = lowRankSamples(400, 1500, 30, 5);
    const input = { data: { kind: 'samples' as const, samples: X }, schedule: linearSchedule(100), encoder: encoderOf(9, 2, 1500, 0.5) };
    const two = await computeBias(input, { threads: 2 });
    const one = computeBiasSync(input);
    expect(two.route).toBe('gram-eigen');
    expect(two.spectrum.rank).toBe(30);
    expect(two.rows).toEqual(one.rows);
    expect(two.totals).toEqual(one.totals);
  });
});

describe('weighted totals and parameterizations (MATH.md §2.1)', () => {
  it('unit factors are the squared slopes of fromScore (output = c·score + const)', () => {
    for (const [a, s] of [[0.9, Math.sqrt(1 - 0.81)], [0.3, Math.sqrt(1 - 0.09)], [1, 2]]) {
      const x = [0.3, -1.2], s1 = [0.5, 2], s2 = [-1, 0.25];
      for (const p of PARAMETERIZATIONS) {
        const o1 = fromScore(p, s1, x, { a, s }), o2 = fromScore(p, s2, x, { a, s });
        const dOut = (o1[0] - o2[0]) ** 2 + (o1[1] - o2[1]) ** 2;
        const dScore = (s1[0] - s2[0]) ** 2 + (s1[1] - s2[1]) ** 2;
        expect(rel(dOut, unitFactor(p, a, s) * dScore)).toBeLessThan(1e-14);
      }
    }
  });

  it('totals = Σ_t λ_t f_t × the dense rows at every t, for each parameterization and weighting', () => {
    const g = fc.sample(gaussian({ dim: 4 }), { seed: 12, numRuns: 1 })[0];
    const schedule = cosineSchedule(40);
    const all = Array.from({ length: 40 }, (_, i) => i + 1);
    const encoder = encoderOf(4, 2, 4, 0.3);
    const dense = denseBiasRows({ data: g, schedule, timesteps: all, encoder });
    const weightings: BiasWeighting['weights'][] = ['uniform', 'snr', { minSnr: 5 }, all.map((t) => (t % 3) * 0.5)];
    for (const p of PARAMETERIZATIONS) {
      for (const weights of weightings) {
        const w: BiasWeighting = { parameterization: p, weights };
        const r = computeBiasSync({ data: { kind: 'covariance', cov: g.cov }, schedule, encoder, weighting: w, timesteps: [1] });
        let ct = 0, gap = 0, adv = 0;
        for (const row of dense) {
          const f = timestepWeight(w, row.t, row.a, row.s) * unitFactor(p, row.a, row.s);
          ct += f * row.Ct;
          gap += f * row.inputBiasGap;
          adv += f * row.sds.collapseAdvantage;
        }
        expect(rel(r.totals.Ct.sum, ct)).toBeLessThan(1e-10);
        expect(rel(r.totals.inputBiasGap.sum, gap)).toBeLessThan(1e-10);
        expect(rel(r.totals.sds.collapseAdvantage.sum, adv)).toBeLessThan(1e-10);
        expect(r.totals.Ct.perStep).toBeCloseTo(r.totals.Ct.sum / 40, 12);
      }
    }
  });

  it('min-SNR-γ is one objective in every parameterization: the same totals', () => {
    const schedule = linearSchedule(100);
    const cov = fromRows([[2, 0.5], [0.5, 1]]);
    const sums = PARAMETERIZATIONS.map((p) => computeBiasSync({ data: { kind: 'covariance', cov }, schedule, weighting: { parameterization: p, weights: { minSnr: 5 } } }).totals.Ct.sum);
    for (const s of sums) expect(rel(s, sums[0])).toBeLessThan(1e-12);
  });

  it('ε-units C_t equals d − s² tr(Σ_t⁻¹) (uniform weights, one timestep schedule)', () => {
    const schedule = vpFromAlphaBars([0.6]);
    const cov = fromRows([[1.5, 0.2], [0.2, 0.7]]);
    const r = computeBiasSync({ data: { kind: 'covariance', cov }, schedule } satisfies BiasInput);
    const row = r.rows[0];
    expect(rel(r.totals.Ct.sum, 2 - row.s * row.s * row.sds.scoreNormAtTarget)).toBeLessThan(1e-13);
  });
});

describe('docs/library.md example', () => {
  it('prints what the docs say: covariance route, rank 2, C_t = 2349.94 and 0.716, Min-SNR-5 total 548.28', () => {
    const samples = fromRows([[1, 2, 2], [0, 1, 1], [2, 0, 0], [1, 1, 1]]);
    const r = computeBiasSync({ data: { kind: 'samples', samples }, schedule: sqrtLinearSchedule(1000), timesteps: [1, 500], weighting: { parameterization: 'eps', weights: { minSnr: 5 } } });
    expect(r.route).toBe('covariance-eigen');
    expect(r.spectrum.rank).toBe(2);
    expect(r.rows[0].Ct.toFixed(2)).toBe('2349.94');
    expect(r.rows[1].Ct.toFixed(3)).toBe('0.716');
    expect(r.totals.Ct.sum.toFixed(2)).toBe('548.28');
  });
});

describe('errors name the field and value', () => {
  const schedule = linearSchedule(10);
  it('an indefinite covariance names data.cov, the eigenvalue and the regularizer that would fix it', () => {
    expect(() => computeBiasSync({ data: { kind: 'covariance', cov: fromRows([[1, 2], [2, 1]]) }, schedule })).toThrow(/data\.cov: .*smallest eigenvalue -1\.00000.*regularization ε ≥ 1\.00/);
    // ... and with that regularizer it runs.
    expect(computeBiasSync({ data: { kind: 'covariance', cov: fromRows([[1, 2], [2, 1]]) }, schedule, regularization: 1 }).spectrum.eigenvalues[1]).toBe(0);
  });
  it('a non-finite sample, a negative regularizer, a bad timestep, weights of the wrong length', () => {
    expect(() => computeBiasSync({ data: { kind: 'samples', samples: fromRows([[1, 2], [3, NaN], [0, 0]]) }, schedule })).toThrow(/sample 2, column 2.*NaN/);
    expect(() => computeBiasSync({ data: { kind: 'covariance', cov: fromRows([[1]]) }, schedule, regularization: -1 })).toThrow(/regularization/);
    expect(() => computeBiasSync({ data: { kind: 'covariance', cov: fromRows([[1]]) }, schedule, timesteps: [11] })).toThrow(/timesteps\[0\]/);
    expect(() => computeBiasSync({ data: { kind: 'covariance', cov: fromRows([[1]]) }, schedule, weighting: { parameterization: 'eps', weights: [1, 2] } })).toThrow(/weighting\.weights: expected dimension 10/);
    expect(() => computeBiasSync({ data: { kind: 'samples', samples: fromRows([[1, 2]]) }, schedule })).toThrow(/at least 2 samples/);
    expect(() => computeBiasSync({ data: { kind: 'eigenvalues', eigenvalues: [1, 2] }, schedule, encoder: encoderOf(1, 1, 2, 1) })).toThrow(/encoder/);
  });
});
