import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { flowPathDraw } from '../../properties/support/flowDraw.ts';
import { forEachStandardNormalNode, regressionMoments } from '../../properties/support/gaussianQuadrature.ts';
import { flowPath, flowTime, fromEigen, rotation, simpleDouble } from '../arbitraries/index.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { type Matrix, cholesky, matmul, spdInverse } from '../linalg/index.ts';
import { type FlowCoefficients, conditionalTargetVariance, flowCoefficients } from './flowPath.ts';
import { type AffineVelocityField, evaluateVelocityField, flowConstantFromEigenvalues, flowMarginalCovariance, marginalVelocityModel } from './flowMatchingGaussian.ts';

/*
 * The Gaussian flow-matching closed forms (MATH.md §19.2) against Gauss–Hermite quadrature over (x₀, ε, ξ) of
 * the path as defined, x_t = a x₀ + s ε + r ξ, u_t = ȧ x₀ + ṡ ε + ṙ ξ:
 *  - Cov(x_t) = flowMarginalCovariance;
 *  - v*_t = E[u_t | x_t] is characterized by orthogonality: E[u_t − v*_t(x_t)] = 0 and E[(u_t − v*_t(x_t)) x_tᵀ] = 0
 *    (evaluateVelocityField at every node, the field of marginalVelocityModel);
 *  - C_t = E‖u_t − v*_t(x_t)‖² = flowConstantFromEigenvalues(λ(Σ)) with Σ built from known eigenvalues.
 */

/** Data with known eigenvalues Σ = R diag(λ) Rᵀ, a path and a time (both ends included). */
const caseArb = fc.integer({ min: 1, max: 3 }).chain((d) => fc.record({
  eigenvalues: fc.array(simpleDouble(0.05, 4, 2), { minLength: d, maxLength: d }),
  R: rotation(d),
  mean: fc.array(simpleDouble(-2, 2, 2), { minLength: d, maxLength: d }),
  path: flowPath(),
  t: flowTime(),
})).map(({ eigenvalues, R, mean, path, t }) => ({ eigenvalues, data: new Gaussian(mean, fromEigen(R, eigenvalues)), co: flowCoefficients(path, t) }));

function pathMoments(data: Gaussian, co: FlowCoefficients) {
  const L = cholesky(data.cov);
  return regressionMoments(3 * data.dim, (g) => {
    const { xt, u } = flowPathDraw(data, L, co, g);
    return { u, w: xt };
  });
}

/** Largest |E[(u − v(x_t))·(1, x_t)]| by quadrature, relative to E‖u‖² + E‖x_t‖² (exact for an affine v). */
function orthogonalityDefect(data: Gaussian, co: FlowCoefficients, field: AffineVelocityField): number {
  const d = data.dim, L = cholesky(data.cov), out = new Float64Array(d);
  const m = new Float64Array(d * (d + 1));
  let scale = 0;
  forEachStandardNormalNode(3 * d, (g, w) => {
    const { xt, u } = flowPathDraw(data, L, co, g);
    evaluateVelocityField(field, xt, out);
    for (let i = 0; i < d; i++) {
      const e = u[i] - out[i];
      m[i * (d + 1)] += w * e;
      for (let j = 0; j < d; j++) m[i * (d + 1) + 1 + j] += w * e * xt[j];
      scale += w * (u[i] * u[i] + xt[i] * xt[i]);
    }
  });
  return Math.max(...m.map(Math.abs)) / Math.max(scale, 1e-300);
}

describe('flowMarginalCovariance: Cov(x_t) by quadrature', () => {
  const agrees = (S: Matrix, q: Float64Array) => S.data.every((v, i) => Math.abs(v - q[i]) <= 1e-12 * Math.max(1, ...q.map(Math.abs)));

  test.prop([caseArb], { numRuns: 60 })('equals a²Σ + (s² + r²)I on every path at every time, ends included', ({ data, co }) => {
    expect(agrees(flowMarginalCovariance(data, co), pathMoments(data, co).covW)).toBe(true);
  });

  it('negative control: dropping the I-CFM noise r² is rejected', () => {
    const data = new Gaussian([0.3, -1], { rows: 2, cols: 2, data: Float64Array.of(1, 0.5, 0.5, 2) });
    const co = flowCoefficients({ kind: 'icfm', sigma: 0.4 }, 0.3);
    const q = pathMoments(data, co).covW;
    expect(agrees(flowMarginalCovariance(data, co), q)).toBe(true);
    expect(agrees(flowMarginalCovariance(data, { ...co, r: 0 }), q)).toBe(false);
  });
});

describe('marginalVelocityModel and evaluateVelocityField: the residual u_t − v*_t(x_t) is orthogonal to (1, x_t)', () => {
  const asField = (data: Gaussian, co: FlowCoefficients): AffineVelocityField => {
    const m = marginalVelocityModel(data, co);
    return { A: m.A, c: m.b };
  };

  test.prop([caseArb], { numRuns: 60 })('E[u − v*(x_t)] = 0 and E[(u − v*(x_t)) x_tᵀ] = 0', ({ data, co }) => {
    expect(orthogonalityDefect(data, co, asField(data, co))).toBeLessThan(1e-12);
  });

  test.prop([caseArb], { numRuns: 30 })('the field is the regression Cov(u, x_t) Cov(x_t)⁻¹ of the quadrature moments', ({ data, co }) => {
    const q = pathMoments(data, co), d = data.dim;
    const A = matmul({ rows: d, cols: d, data: q.covUW }, spdInverse({ rows: d, cols: d, data: q.covW }));
    const f = asField(data, co);
    const scale = Math.max(1, ...A.data.map(Math.abs));
    A.data.forEach((v, i) => expect(Math.abs(f.A.data[i] - v)).toBeLessThanOrEqual(1e-10 * scale));
  });

  it('negative control: the score-free field ȧ/a·x (β = 0) and the field of another time are rejected', () => {
    const data = new Gaussian([1, -0.5], { rows: 2, cols: 2, data: Float64Array.of(2, 0.6, 0.6, 0.5) });
    const co = flowCoefficients({ kind: 'rectified' }, 0.4);
    expect(orthogonalityDefect(data, co, asField(data, co))).toBeLessThan(1e-12);
    const scoreFree: AffineVelocityField = { A: { rows: 2, cols: 2, data: Float64Array.of(co.da / co.a, 0, 0, co.da / co.a) }, c: new Float64Array(2) };
    expect(orthogonalityDefect(data, co, scoreFree)).toBeGreaterThan(1e-3);
    expect(orthogonalityDefect(data, co, asField(data, flowCoefficients({ kind: 'rectified' }, 0.45)))).toBeGreaterThan(1e-3);
  });
});

describe('flowConstantFromEigenvalues: C_t = E‖u_t − v*_t(x_t)‖² by quadrature', () => {
  const residual = (data: Gaussian, co: FlowCoefficients) => {
    const d = data.dim, L = cholesky(data.cov), m = marginalVelocityModel(data, co), out = new Float64Array(d);
    let s = 0, scale = 0;
    forEachStandardNormalNode(3 * d, (g, w) => {
      const { xt, u } = flowPathDraw(data, L, co, g);
      evaluateVelocityField({ A: m.A, c: m.b }, xt, out);
      for (let i = 0; i < d; i++) { s += w * (u[i] - out[i]) ** 2; scale += w * u[i] * u[i]; }
    });
    return { value: s, scale };
  };

  test.prop([caseArb], { numRuns: 60 })('equals the quadrature for every path and time (ends included)', ({ eigenvalues, data, co }) => {
    const q = residual(data, co);
    expect(Math.abs(flowConstantFromEigenvalues(eigenvalues, co) - q.value)).toBeLessThanOrEqual(1e-10 * Math.max(1, q.scale));
  });

  it('negative control: the diagonal of Σ in place of its eigenvalues is rejected (a correlated Σ)', () => {
    const data = new Gaussian([0, 0], { rows: 2, cols: 2, data: Float64Array.of(2, 0.9, 0.9, 0.5) });
    const co = flowCoefficients({ kind: 'ot', sigmaMin: 0.01 }, 0.5);
    const disc = Math.sqrt(0.75 ** 2 + 0.81), eig = [1.25 + disc, 1.25 - disc];
    const q = residual(data, co);
    expect(Math.abs(flowConstantFromEigenvalues(eig, co) - q.value)).toBeLessThan(1e-10 * q.scale);
    expect(Math.abs(flowConstantFromEigenvalues([2, 0.5], co) - q.value)).toBeGreaterThan(1e-4 * q.scale);
  });
});

describe('conditionalTargetVariance: Var(u_t | x_t) along one eigen-direction against the 1-d quadrature regression residual', () => {
  const agrees = (value: number, co: FlowCoefficients, lambda: number) => {
    // λ = 0 with s = r = 0 makes x_t constant: the regression on it is empty and Var(u | x_t) = Var u.
    const degenerate = co.a * co.a * lambda + co.s * co.s + co.r * co.r === 0;
    const q = regressionMoments(3, (g) => {
      const x0 = Math.sqrt(lambda) * g[0];
      return { u: [co.da * x0 + co.ds * g[1] + co.dr * g[2]], w: [co.a * x0 + co.s * g[1] + co.r * g[2]] };
    });
    const varU = q.secondMomentU - q.Eu[0] ** 2;
    return Math.abs(value - (degenerate ? varU : varU - q.covUW[0] ** 2 / q.covW[0])) <= 1e-12 * Math.max(1, varU);
  };

  test.prop([flowPath(), flowTime(), simpleDouble(0, 5, 3)], { numRuns: 100 })('every path, time and λ (λ = 0 and both ends included)', (path, t, lambda) => {
    const co = flowCoefficients(path, t);
    expect(agrees(conditionalTargetVariance(co, lambda), co, lambda)).toBe(true);
  });

  it('negative control: the I-CFM variance without its pair-noise terms (r = ṙ = 0) is rejected', () => {
    const co = flowCoefficients({ kind: 'icfm', sigma: 0.5 }, 0.3);
    expect(agrees(conditionalTargetVariance(co, 1.5), co, 1.5)).toBe(true);
    expect(agrees(conditionalTargetVariance({ ...co, r: 0, dr: 0 }, 1.5), co, 1.5)).toBe(false);
  });
});
