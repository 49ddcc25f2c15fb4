import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { flowPathDraw } from '../../properties/support/flowDraw.ts';
import { forEachStandardNormalNode, regressionMoments } from '../../properties/support/gaussianQuadrature.ts';
import { affineConditionalScoreModel, flowPath, flowTime, gaussianOfDim, linearEncoder } from '../arbitraries/index.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { type Matrix, cholesky, matmul, matvec, spdInverse } from '../linalg/index.ts';
import type { AffineConditionalScoreModel } from '../models/affineConditionalScoreModel.ts';
import type { LinearEncoder } from '../models/linearEncoder.ts';
import { conditionedByEncoder } from '../objectives/conditionedData.ts';
import { type FlowCoefficients, flowCoefficients } from './flowPath.ts';
import { conditionalCfmAffine, conditionalFmAffine, conditionalVelocityNorm, flowTargetSecondMoment } from './flowInputBias.ts';
import { flowConstant } from './flowMatchingGaussian.ts';

/*
 * Flow matching with an encoder c = Bx₀ + b + τξ (MATH.md §19.7) against Gauss–Hermite quadrature over
 * (x₀, ε, ξ, ξ_c): the conditional marginal velocity v*_t(x, c) = E[u_t | x_t = x, c] is the linear regression of
 * u_t on w = (x_t, c) from quadrature moments — no posterior Σ_{x|c}, no marginal-velocity matrix.
 */
interface Case { data: Gaussian; enc: LinearEncoder; co: FlowCoefficients; model: AffineConditionalScoreModel }

const caseArb = fc.integer({ min: 1, max: 2 }).chain((d) => linearEncoder(d, { maxK: 2 }).chain((enc) => fc.record({
  data: gaussianOfDim(d, { maxConditionNumber: 20, meanBound: 1.5 }),
  enc: fc.constant(enc),
  co: fc.tuple(flowPath(), flowTime()).map(([p, t]) => flowCoefficients(p, t)),
  model: affineConditionalScoreModel(d, enc.B.rows, 1),
})));

function draws({ data, enc, co }: Case) {
  const d = data.dim, k = enc.B.rows, L = cholesky(data.cov), n = 3 * d + k;
  const draw = (g: Float64Array) => {
    const { x0, xt, u } = flowPathDraw(data, L, co, g);
    const c = Float64Array.from(enc.b, (b, q) => { let v = b + enc.tau * g[3 * d + q]; for (let j = 0; j < d; j++) v += enc.B.data[q * d + j] * x0[j]; return v; });
    return { xt, c, u, w: Float64Array.from([...xt, ...c]) };
  };
  const q = regressionMoments(n, draw), m = d + k;
  const A: Matrix = matmul({ rows: d, cols: m, data: q.covUW }, spdInverse({ rows: m, cols: m, data: q.covW }));
  const AEw = matvec(A, q.Ew);
  const vStar = (w: Float64Array) => matvec(A, w).map((v, i) => v + q.Eu[i] - AEw[i]);
  return { n, draw, q, A, vStar };
}

/** E‖v*‖² = ‖E u‖² + tr(Cov(u, w) Cov(w)⁻¹ Cov(w, u)). */
function velocityNormByQuadrature(c: Case): number {
  const { q, A } = draws(c), d = c.data.dim, m = q.Ew.length;
  let s = 0;
  for (let i = 0; i < d; i++) { s += q.Eu[i] ** 2; for (let j = 0; j < m; j++) s += A.data[i * m + j] * q.covUW[i * m + j]; }
  return s;
}

/** Mean and variance of ‖v(x_t, c) − target‖² by quadrature, target v* (FM) or u_t (CFM). */
function lossByQuadrature(c: Case, target: 'vstar' | 'u') {
  const { n, draw, vStar } = draws(c);
  let m1 = 0, m2 = 0;
  forEachStandardNormalNode(n, (g, w) => {
    const { xt, c: cc, u, w: wv } = draw(g);
    const tg = target === 'u' ? u : vStar(wv), Ax = matvec(c.model.A, xt), Bc = matvec(c.model.B, cc);
    let e = 0;
    for (let i = 0; i < xt.length; i++) e += (Ax[i] + Bc[i] + c.model.b[i] - tg[i]) ** 2;
    m1 += w * e;
    m2 += w * e * e;
  });
  return { mean: m1, variance: m2 - m1 * m1, secondMoment: m2 };
}

const close = (got: number, want: number, scale: number, rel = 1e-8) => Math.abs(got - want) <= rel * Math.max(1, scale);

describe('flowTargetSecondMoment and conditionalVelocityNorm against quadrature', () => {
  test.prop([caseArb], { numRuns: 40 })('E‖u_t‖² and E‖v*_t(x_t|c)‖² (every path, both ends of time)', (c) => {
    const q = draws(c).q;
    expect(close(flowTargetSecondMoment(c.data, c.co), q.secondMomentU, q.secondMomentU, 1e-12)).toBe(true);
    expect(close(conditionalVelocityNorm(c.data, c.enc, c.co), velocityNormByQuadrature(c), q.secondMomentU)).toBe(true);
  });

  it('negative control: the unconditional E‖v*_t(x_t)‖² (encoder ignored) and E‖u‖² without ‖μ‖² are rejected', () => {
    const [c] = fc.sample(caseArb.map((x) => ({ ...x, data: new Gaussian(x.data.mean.map((m) => m + 1), x.data.cov), co: flowCoefficients({ kind: 'rectified' }, 0.5) })), { seed: 9, numRuns: 1 });
    const enc = { ...c.enc, B: { ...c.enc.B, data: c.enc.B.data.map((v) => v + 1) } }, cc = { ...c, enc };
    const q = draws(cc).q, want = velocityNormByQuadrature(cc);
    expect(close(conditionalVelocityNorm(cc.data, enc, cc.co), want, q.secondMomentU)).toBe(true);
    expect(close(flowTargetSecondMoment(cc.data, cc.co) - flowConstant(cc.data, cc.co), want, q.secondMomentU)).toBe(false);
    const centred = { ...cc.data, mean: new Float64Array(cc.data.dim) } as Gaussian;
    expect(close(flowTargetSecondMoment(centred, cc.co), q.secondMomentU, q.secondMomentU, 1e-12)).toBe(false);
  });
});

describe('conditionalFmAffine: mean and exact per-draw variance of ‖v(x_t, c) − v*_t(x_t|c)‖² against quadrature', () => {
  const agrees = (got: { mean: number; variance: number }, q: { mean: number; variance: number; secondMoment: number }) =>
    close(got.mean, q.mean, Math.sqrt(q.secondMoment)) && close(got.variance, q.variance, q.secondMoment);

  test.prop([caseArb], { numRuns: 40 })('every path and time, both ends included', (c) => {
    expect(agrees(conditionalFmAffine(c.model, conditionedByEncoder(c.data, c.enc), c.co), lossByQuadrature(c, 'vstar'))).toBe(true);
  });

  it('negative control: the CFM moments (target u_t, not v*) are rejected by the FM quadrature, and accepted by the CFM one', () => {
    const [c] = fc.sample(caseArb.map((x) => ({ ...x, co: flowCoefficients({ kind: 'ot', sigmaMin: 0.01 }, 0.5) })), { seed: 1, numRuns: 1 });
    const cd = conditionedByEncoder(c.data, c.enc), cfm = conditionalCfmAffine(c.model, cd, c.co);
    expect(agrees(cfm, lossByQuadrature(c, 'u'))).toBe(true);
    expect(agrees(cfm, lossByQuadrature(c, 'vstar'))).toBe(false);
  });
});
