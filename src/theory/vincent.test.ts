import { describe, expect, test } from 'vitest';
import { scriptedRng } from '../../properties/support/scriptedRng.ts';
import { vpFromBetas } from '../diffusion/schedule.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { GaussianMixture } from '../gaussian/mixture.ts';
import { fromRows } from '../linalg/index.ts';
import { marCosineWeight } from './diffusionLoss.ts';
import { mmseNoisePredictor } from './mmseNoisePredictor.ts';
import { vincentConstant, vincentConstantMixture, weightedVincentConstant } from './vincent.ts';
import { exactMarginalScore, gaussianMarginalPrecision } from './vincentScoreFunction.ts';
import { vpPointAtAlpha } from './vpPoint.ts';

/* MATH.md §1–3 in one and two dimensions, by hand. */
const level = { a: 0.8, s: 0.6 }, { a, s } = level;
const near = (got: ArrayLike<number>, want: number[], digits = 13) => want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, digits));

describe('Vincent\'s constant C_t = d/s² − tr Σ_t⁻¹', () => {
  test('scalar data N(μ, v): 1/s² − 1/(a²v + s²); weighted over a schedule; non-Gaussian refused', () => {
    const g = new Gaussian([0.3], fromRows([[2]]));
    expect(vincentConstant(g, level)).toBeCloseTo(1 / (s * s) - 1 / (a * a * 2 + s * s), 13);
    const sch = vpFromBetas([0.1, 0.3]);
    const C = (t: number) => { const ab = t === 1 ? 0.9 : 0.63; return 1 / (1 - ab) - 1 / (ab * 2 + 1 - ab); };
    expect(weightedVincentConstant(g, sch, [0.5, 2])).toBeCloseTo(0.5 * C(1) + 2 * C(2), 12);
    expect(weightedVincentConstant(g, sch, [0, 2])).toBeCloseTo(2 * C(2), 12);
    expect(() => vincentConstant({ dim: 1 } as never, level)).toThrow(/^data/);
  });

  test('Monte Carlo C_t draw by draw: (ε/s + ∇log q_t(x_t))² on scripted normals', () => {
    const g = new Gaussian([0.3], fromRows([[2]]));
    const V = a * a * 2 + s * s;
    const script = [0.5, -1, 1.5, 0.25, -0.75, 0.8];
    const vals = [0, 1, 2].map((k) => {
      const x0 = 0.3 + Math.sqrt(2) * script[2 * k], eps = script[2 * k + 1], xt = a * x0 + s * eps;
      return (eps / s - (xt - a * 0.3) / V) ** 2;
    });
    const e = vincentConstantMixture(g, level, scriptedRng(script), 3);
    const m = vals.reduce((p, x) => p + x, 0) / 3;
    expect(e.mean).toBeCloseTo(m, 13);
    expect(e.variance).toBeCloseTo(vals.reduce((p, x) => p + (x - m) ** 2, 0) / 2, 12);
    expect(() => vincentConstantMixture(g, level, scriptedRng(script), 1)).toThrow(/^n/);
    expect(() => vincentConstantMixture(g, { a: 0, s: 1 }, scriptedRng(script), 2)).toThrow(/level\.a/);
  });
});

describe('exact marginal scores and the MMSE noise predictor', () => {
  test('correlated 2-d Gaussian: −(a²Σ + s²I)⁻¹(x − aμ) with the 2 × 2 inverse', () => {
    const Sg = [[1, 0.4], [0.4, 0.5]], mu = [1, -1];
    const M = [[a * a * Sg[0][0] + s * s, a * a * Sg[0][1]], [a * a * Sg[1][0], a * a * Sg[1][1] + s * s]];
    const det = M[0][0] * M[1][1] - M[0][1] ** 2;
    const P = [[M[1][1] / det, -M[0][1] / det], [-M[1][0] / det, M[0][0] / det]];
    near(gaussianMarginalPrecision(fromRows(Sg), level).data, [P[0][0], P[0][1], P[1][0], P[1][1]]);
    const x = [0.2, 0.7], r = [x[0] - a * mu[0], x[1] - a * mu[1]];
    const out = exactMarginalScore(new Gaussian(mu, fromRows(Sg)), level)(Float64Array.from(x), new Float64Array(2));
    near(out, [-(P[0][0] * r[0] + P[0][1] * r[1]), -(P[1][0] * r[0] + P[1][1] * r[1])]);
  });

  const w = [0.3, 0.7], ms = [-1, 2], vs = [0.5, 1.5];
  const mix = new GaussianMixture(w, ms.map((m, k) => new Gaussian([m], fromRows([[vs[k]]]))));
  /** r_k(x) of the 1-d mixture marginal at (a, s), and each component's −(x − aμ_k)/V_k. */
  const parts = (x: number, aa: number, ss2: number) => {
    const V = vs.map((v) => aa * aa * v + ss2);
    const dens = ms.map((m, k) => (w[k] * Math.exp(-((x - aa * m) ** 2) / (2 * V[k]))) / Math.sqrt(V[k]));
    const z = dens[0] + dens[1];
    return { r: dens.map((p) => p / z), sc: ms.map((m, k) => -(x - aa * m) / V[k]) };
  };

  test('1-d mixture: Σ_k r_k(x)(−(x − aμ_k)/V_k)', () => {
    const { r, sc } = parts(0.4, a, s * s);
    expect(exactMarginalScore(mix, level)(Float64Array.from([0.4]), new Float64Array(1))[0]).toBeCloseTo(r[0] * sc[0] + r[1] * sc[1], 13);
  });

  test('ε*(x; α) = −√(1 − α) ∇log q_α(x), cached per α and recomputed when α changes', () => {
    const eps = mmseNoisePredictor(mix);
    for (const alpha of [0.3, 0.9, 0.3]) {
      const t = vpPointAtAlpha(alpha);
      const { r, sc } = parts(0.4, Math.sqrt(alpha), 1 - alpha);
      expect(eps(Float64Array.from([0.4]), t)[0]).toBeCloseTo(-Math.sqrt(1 - alpha) * (r[0] * sc[0] + r[1] * sc[1]), 12);
    }
    const g = mmseNoisePredictor(new Gaussian([1], fromRows([[2]])));
    const t = vpPointAtAlpha(0.5);
    expect(g(Float64Array.from([0]), t)[0]).toBeCloseTo((Math.sqrt(0.5) * (0 - Math.sqrt(0.5))) / (0.5 * 2 + 0.5), 13);
  });

  test('MAR cosine weight 1/(2π cosh(λ/2))', () => {
    expect(marCosineWeight(0)).toBeCloseTo(1 / (2 * Math.PI), 15);
    expect(marCosineWeight(2)).toBeCloseTo(1 / (2 * Math.PI * Math.cosh(1)), 15);
    expect(marCosineWeight(-2)).toBe(marCosineWeight(2));
  });
});
