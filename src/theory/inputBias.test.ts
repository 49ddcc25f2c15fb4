import { describe, expect, test } from 'vitest';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { diag, fromRows, zeros } from '../linalg/index.ts';
import {
  conditionalNoisyMarginal, conditionalScoreNormTerm, encoderInputBiasGap, encoderPosteriorCovariance, gaussianConditional,
  inputBiasGap, jointInputBiasGap, linearEncoderPosteriorCovariance,
} from './inputBias.ts';
import { noisyTraceGap } from './noisyTraceGap.ts';

/* Scalar and diagonal closed forms of MATH.md §2, Theorem 2, written out by hand. */
const level = { a: 0.8, s: 0.6 }, { a, s } = level;

describe('Gaussian conditional and the noisy conditional marginal q(x_t | c)', () => {
  const rho = 0.6, vc = 2, mx = 0.5, mc = -1;
  const joint = new Gaussian([mx, mc], fromRows([[1, rho], [rho, vc]]));

  test('x_0 | c ~ N(Mc + m, Σ_xx − Σ_xc²/Σ_cc): M = ρ/Σ_cc, m = μ_x − M μ_c', () => {
    const g = gaussianConditional(joint, 1);
    expect(g.M.data[0]).toBeCloseTo(rho / vc, 15);
    expect(g.m[0]).toBeCloseTo(mx - (rho / vc) * mc, 15);
    expect(g.cov.data[0]).toBeCloseTo(1 - (rho * rho) / vc, 15);
    expect(() => gaussianConditional(joint, 2)).toThrow(/^dataDim/);
    expect(() => gaussianConditional(joint, 0)).toThrow(/^dataDim/);
    expect(() => gaussianConditional({ dim: 2 } as never, 1)).toThrow(/^joint/);
  });

  test('3-d joint, 2-d data, correlated: the conditional covariance against the Schur complement by hand', () => {
    const J = new Gaussian([1, 2, 3], fromRows([[2, 0.5, 0.4], [0.5, 1, -0.2], [0.4, -0.2, 0.5]]));
    const g = gaussianConditional(J, 2);
    const Sxc = [0.4, -0.2], Scc = 0.5;
    expect(Array.from(g.M.data)).toEqual(Sxc.map((v) => v / Scc).map((v) => expect.closeTo(v, 14)));
    const want = [2 - 0.16 / Scc, 0.5 + 0.08 / Scc, 0.5 + 0.08 / Scc, 1 - 0.04 / Scc];
    want.forEach((w, i) => expect(g.cov.data[i]).toBeCloseTo(w, 14));
    expect(g.m[1]).toBeCloseTo(2 - (-0.2 / Scc) * 3, 14);
  });

  test('q(x_t|c) = N(a(Mc + m), a²Σ_{x|c} + s²I), checked at a point; c of the wrong length and a bad level named', () => {
    const g = gaussianConditional(joint, 1);
    const c = 1.5;
    const q = conditionalNoisyMarginal(g, [c], level);
    const mean = a * ((rho / vc) * c + mx - (rho / vc) * mc), v = a * a * (1 - (rho * rho) / vc) + s * s;
    expect(q.mean[0]).toBeCloseTo(mean, 14);
    expect(q.cov.data[0]).toBeCloseTo(v, 14);
    expect(q.logPdf([0.2])).toBeCloseTo(-0.5 * (Math.log(2 * Math.PI * v) + (0.2 - mean) ** 2 / v), 13);
    expect(() => conditionalNoisyMarginal(g, [1, 2], level)).toThrow(DimensionMismatchError);
    expect(() => conditionalNoisyMarginal(g, [1], { a: 1, s: 0 })).toThrow(/level\.s/);
  });
});

describe('input-bias gap d/s² − tr((a²Σ_{x|c} + s²I)⁻¹)', () => {
  test('diagonal posterior covariance: Σ_i a²v_i/(s²(a²v_i + s²)); the norm term Σ_i 1/(a²v_i + s²)', () => {
    const v = [0.5, 2, 0];
    const cov = diag(v);
    const gap = v.reduce((acc, x) => acc + (a * a * x) / (s * s * (a * a * x + s * s)), 0);
    expect(inputBiasGap(cov, level)).toBeCloseTo(gap, 13);
    expect(noisyTraceGap(cov, level, 'c')).toBeCloseTo(gap, 13);
    expect(conditionalScoreNormTerm(cov, level)).toBeCloseTo(v.reduce((acc, x) => acc + 1 / (a * a * x + s * s), 0), 13);
    // Vincent's identity: gap = d/s² − norm term
    expect(inputBiasGap(cov, level)).toBeCloseTo(3 / (s * s) - conditionalScoreNormTerm(cov, level), 12);
    expect(inputBiasGap(zeros(2, 2), level)).toBe(0); // c determines x_0: no gap
  });

  test('correlated 2 × 2: trace of (a²Σ + s²I)⁻¹ by the 2 × 2 inverse', () => {
    const S = [[1, 0.4], [0.4, 0.5]];
    const m = [[a * a * S[0][0] + s * s, a * a * S[0][1]], [a * a * S[1][0], a * a * S[1][1] + s * s]];
    const det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
    const tr = (m[0][0] + m[1][1]) / det;
    expect(conditionalScoreNormTerm(fromRows(S), level)).toBeCloseTo(tr, 13);
    expect(inputBiasGap(fromRows(S), level)).toBeCloseTo(2 / (s * s) - tr, 12);
  });

  test('a negative variance on the diagonal is refused by name', () => {
    expect(() => inputBiasGap(fromRows([[1, 0], [0, -0.1]]), level)).toThrow('posteriorCov[1][1]: a covariance has a non-negative diagonal (got -0.1)');
  });

  test('encoder c = Bx + b + τξ: Σ_{x|c} = (Σ⁻¹ + BᵀB/τ²)⁻¹; scalar, and the joint route agrees', () => {
    const v0 = 2, bb = 1.5, tau = 0.5;
    const post = 1 / (1 / v0 + (bb * bb) / (tau * tau));
    expect(encoderPosteriorCovariance(fromRows([[v0]]), fromRows([[bb]]), tau).data[0]).toBeCloseTo(post, 14);
    const data = new Gaussian([0.3], fromRows([[v0]]));
    const enc = { B: fromRows([[bb]]), b: Float64Array.from([0.2]), tau };
    expect(linearEncoderPosteriorCovariance(data, enc).data[0]).toBeCloseTo(post, 14);
    const gap = (a * a * post) / (s * s * (a * a * post + s * s));
    expect(encoderInputBiasGap(data, enc, level)).toBeCloseTo(gap, 13);
    // the same (x_0, c) as a joint: Var c = b²v + τ², Cov = b v
    const joint = new Gaussian([0.3, bb * 0.3 + 0.2], fromRows([[v0, bb * v0], [bb * v0, bb * bb * v0 + tau * tau]]));
    expect(jointInputBiasGap(joint, 1, level)).toBeCloseTo(gap, 12);
    // two encoder rows: BᵀB sums them
    const two = encoderPosteriorCovariance(fromRows([[v0]]), fromRows([[1], [2]]), 1);
    expect(two.data[0]).toBeCloseTo(1 / (1 / v0 + 5), 14);
    expect(() => encoderPosteriorCovariance(fromRows([[1]]), fromRows([[1, 2]]), 1)).toThrow(/^B/);
    expect(() => encoderPosteriorCovariance(fromRows([[1]]), zeros(0, 1), 1)).toThrow(DimensionMismatchError);
    expect(() => encoderPosteriorCovariance(fromRows([[1]]), fromRows([[Number.NaN]]), 1)).toThrow(InvalidArgumentError);
    expect(() => encoderPosteriorCovariance(fromRows([[1]]), fromRows([[1]]), 0)).toThrow(/^tau/);
  });
});
