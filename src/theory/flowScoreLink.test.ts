import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { flowPathDraw } from '../../properties/support/flowDraw.ts';
import { regressionMoments } from '../../properties/support/gaussianQuadrature.ts';
import { flowPath, flowTime, gaussianOfDim } from '../arbitraries/index.ts';
import type { Gaussian } from '../gaussian/gaussian.ts';
import { cholesky, matmul, matvec, spdInverse } from '../linalg/index.ts';
import { AffineScoreModel } from '../models/affineScoreModel.ts';
import { type FlowCoefficients, flowCoefficients } from './flowPath.ts';
import { velocityFromScoreModel } from './flowScoreLink.ts';

/*
 * velocityFromScoreModel (MATH.md §19.4): fed the exact score of q_t = N(E x_t, Cov x_t), v = αx + β s must be the
 * marginal velocity E[u_t | x_t] — here the linear regression of u_t on x_t from quadrature moments of the path
 * as defined, a route that uses neither Tweedie nor α, β.
 */
function regression(data: Gaussian, co: FlowCoefficients) {
  const d = data.dim, L = cholesky(data.cov);
  const q = regressionMoments(3 * d, (g) => {
    const { xt, u } = flowPathDraw(data, L, co, g);
    return { u, w: xt };
  });
  const P = spdInverse({ rows: d, cols: d, data: q.covW });
  const A = matmul({ rows: d, cols: d, data: q.covUW }, P), AEw = matvec(A, q.Ew);
  const exactScore = new AffineScoreModel({ rows: d, cols: d, data: P.data.map((v) => -v) }, matvec(P, q.Ew));
  return { A, c: q.Eu.map((v, i) => v - AEw[i]), exactScore };
}

const agrees = (v: AffineScoreModel, r: { A: { data: Float64Array }; c: Float64Array }, scale: number) =>
  r.A.data.every((x, i) => Math.abs(v.A.data[i] - x) <= 1e-9 * scale) && r.c.every((x, i) => Math.abs(v.b[i] - x) <= 1e-9 * scale);

describe('velocityFromScoreModel: the exact score gives the marginal velocity', () => {
  const caseArb = fc.integer({ min: 1, max: 3 }).chain((d) => fc.record({ data: gaussianOfDim(d, { maxConditionNumber: 30, meanBound: 2 }), path: flowPath(), t: flowTime(0.001, 0.999) }));

  test.prop([caseArb], { numRuns: 60 })('αI + βA_score, βb_score equal the regression of u_t on x_t (all paths, I-CFM included)', ({ data, path, t }) => {
    const co = flowCoefficients(path, t), r = regression(data, co);
    const scale = Math.max(1, Math.abs(co.da / co.a), ...r.exactScore.A.data.map(Math.abs), ...r.exactScore.b.map(Math.abs)) * Math.max(1, Math.abs(co.da / co.a));
    expect(agrees(velocityFromScoreModel(r.exactScore, co), r, scale)).toBe(true);
  });

  it('negative control: β without the −(ṡs + ṙr) part (β = ȧσ̃²/a) is rejected; a_t = 0 is a typed error', () => {
    const [data] = fc.sample(gaussianOfDim(2, { maxConditionNumber: 10 }), { seed: 2, numRuns: 1 });
    const co = flowCoefficients({ kind: 'icfm', sigma: 0.3 }, 0.6), r = regression(data, co);
    expect(agrees(velocityFromScoreModel(r.exactScore, co), r, 10)).toBe(true);
    // The wrong β is what the module computes for a path whose ṡ = ṙ = 0 at the same x_t law.
    expect(agrees(velocityFromScoreModel(r.exactScore, { ...co, ds: 0, dr: 0 }), r, 10)).toBe(false);
    expect(() => velocityFromScoreModel(r.exactScore, flowCoefficients({ kind: 'rectified' }, 1))).toThrow(/t/);
  });
});
