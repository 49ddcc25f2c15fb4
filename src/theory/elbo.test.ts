import { describe, expect, test } from 'vitest';
import { scaledLinearSchedule, vpFromBetas } from '../diffusion/schedule.ts';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { gaussianKL } from '../gaussian/klDivergence.ts';
import { GaussianMixture } from '../gaussian/mixture.ts';
import { fromRows, scaledIdentity } from '../linalg/index.ts';
import { type DdpmModel, ddpmElbo, ddpmModelLogLikelihood, ddpmModelMarginal, gaussianScoreModel, marginalPrior, standardPrior } from './elbo.ts';
import { dataMoments, isotropicElboMinimizer, isotropicElboObjective, isotropicFamilyModel, isotropicNllMinimizer, isotropicSamplerNll, isotropicSamplerNllMinimizer } from './elboFit.ts';

/*
 * The DDPM ELBO of a 1-d affine-score model written out by hand (Ho et al. 2020; MATH.md §5):
 * reverse kernel p(x_{t−1}|x_t) = N(G_t x_t + g_t, σ_t²), G_t = (1 + β_t B_t)/√α_t, g_t = β_t c_t/√α_t,
 * ELBO = −KL(q(x_T|x_0) ‖ p(x_T)) + E_q log p(x_0|x_1) − Σ_{t≥2} E_q KL(q(x_{t−1}|x_t,x_0) ‖ p(x_{t−1}|x_t)).
 */
const betas = [0.1, 0.3];
const alphas = betas.map((b) => 1 - b);
const a2 = [1, alphas[0], alphas[0] * alphas[1]];
const s2 = [0, betas[0], alphas[1] * betas[0] + betas[1]];
const affine = (B: number[], c: number[]) => ({ dim: 1, at: (t: number) => ({ B: fromRows([[B[t - 1]]]), c: Float64Array.from([c[t - 1]]) }) });
const G = (B: number, t: number) => (1 + betas[t - 1] * B) / Math.sqrt(alphas[t - 1]);
const gg = (c: number, t: number) => (betas[t - 1] * c) / Math.sqrt(alphas[t - 1]);

/** Expected ELBO over x_0 ~ (mean m0, variance v0) (v0 = 0: a point), T = 1 or 2, 1-d. */
function elboByHand(T: 1 | 2, B: number[], c: number[], sig2: number[], prior: { m: number; v: number }, m0: number, v0: number) {
  const aT = Math.sqrt(a2[T]), sT2 = s2[T];
  const priorTerm = -(0.5 * Math.log(prior.v / sT2) + (sT2 + (aT * m0 - prior.m) ** 2 + aT * aT * v0) / (2 * prior.v) - 0.5);
  const G1 = G(B[0], 1), g1 = gg(c[0], 1), k1 = 1 - G1 * Math.sqrt(a2[1]);
  const er2 = (k1 * m0 - g1) ** 2 + k1 * k1 * v0 + G1 * G1 * s2[1];
  const recon = -0.5 * Math.log(2 * Math.PI * sig2[0]) - er2 / (2 * sig2[0]);
  let kl = 0;
  if (T === 2) {
    const bt = (s2[1] * betas[1]) / s2[2], c0 = (betas[1] * Math.sqrt(a2[1])) / s2[2], ct = (Math.sqrt(alphas[1]) * s2[1]) / s2[2];
    const G2 = G(B[1], 2), g2 = gg(c[1], 2), k = c0 + (ct - G2) * Math.sqrt(a2[2]);
    const e2 = (k * m0 - g2) ** 2 + k * k * v0 + (ct - G2) ** 2 * s2[2];
    kl = 0.5 * (bt / sig2[1] - 1 + Math.log(sig2[1] / bt) + e2 / sig2[1]);
  }
  return { prior: priorTerm, recon, kl, elbo: priorTerm + recon - kl };
}

describe('ddpmElbo against the terms written out by hand (d = 1)', () => {
  const B = [-0.7, -1.2], c = [0.3, -0.1];
  test.each([[1, 'beta'], [2, 'beta'], [2, 'betaTilde']] as const)('T = %i, σ² = %s, at a point and over x_0 moments', (T, variance) => {
    const schedule = vpFromBetas(betas.slice(0, T));
    const sig2 = variance === 'beta' ? betas : [betas[0], (s2[1] * betas[1]) / s2[2]];
    const prior = new Gaussian([0.2], fromRows([[1.3]]));
    const model: DdpmModel = { score: affine(B, c), variance, prior };
    for (const [m0, v0] of [[0.8, 0], [-0.4, 0.6]]) {
      const want = elboByHand(T, B, c, sig2, { m: 0.2, v: 1.3 }, m0, v0);
      const got = ddpmElbo(model, schedule, v0 === 0 ? { mean: [m0] } : { mean: [m0], cov: fromRows([[v0]]) });
      expect(got.prior).toBeCloseTo(want.prior, 12);
      expect(got.reconstruction).toBeCloseTo(want.recon, 12);
      expect(got.klSum).toBeCloseTo(want.kl, 12);
      expect(got.kls.length).toBe(T - 1);
      if (T === 2) expect(got.kls[0]).toBeCloseTo(want.kl, 12); // the per-step term itself, not only the sum
      expect(got.elbo).toBeCloseTo(want.elbo, 12);
      expect(got.magnitude).toBeGreaterThanOrEqual(Math.abs(got.elbo));
    }
  });

  test('a variance function of t is used as given; a non-positive one is refused naming t', () => {
    const schedule = vpFromBetas(betas);
    const prior = standardPrior(1);
    const f = (t: number) => 0.05 * t;
    const got = ddpmElbo({ score: affine(B, c), variance: f, prior }, schedule, { mean: [0.5] });
    expect(got.elbo).toBeCloseTo(elboByHand(2, B, c, [0.05, 0.1], { m: 0, v: 1 }, 0.5, 0).elbo, 12);
    expect(() => ddpmElbo({ score: affine(B, c), variance: (t) => (t === 2 ? 0 : 1), prior }, schedule, { mean: [0] })).toThrow('variance(t=2)');
    expect(() => ddpmElbo({ score: affine(B, c), variance: 'beta', prior }, schedule, { mean: [0, 1] })).toThrow(DimensionMismatchError);
    expect(() => ddpmElbo({ score: affine(B, c), variance: 'beta', prior: standardPrior(2) }, schedule, { mean: [0] })).toThrow(/model\.prior/);
    expect(() => ddpmElbo({ score: affine(B, c), variance: 'beta', prior }, schedule, { mean: [Number.NaN] })).toThrow(InvalidArgumentError);
    const badScore = { dim: 1, at: () => ({ B: fromRows([[1, 0], [0, 1]]), c: Float64Array.from([0]) }) };
    expect(() => ddpmElbo({ score: badScore, variance: 'beta', prior }, schedule, { mean: [0] })).toThrow(/score\.at\(1\)/);
  });
});

describe('the model marginal p_θ(x_0) of the linear-Gaussian reverse chain', () => {
  test('T = 2, d = 1: x_0 = G_1(G_2 x_2 + g_2 + σ_2 z) + g_1 + σ_1 z′ from x_2 ~ prior', () => {
    const B = [-0.7, -1.2], c = [0.3, -0.1];
    const schedule = vpFromBetas(betas);
    const p = ddpmModelMarginal({ score: affine(B, c), variance: 'beta', prior: new Gaussian([0.2], fromRows([[1.3]])) }, schedule);
    const G1 = G(B[0], 1), G2 = G(B[1], 2);
    const mean = G1 * (G2 * 0.2 + gg(c[1], 2)) + gg(c[0], 1);
    const v = G1 * G1 * (G2 * G2 * 1.3 + betas[1]) + betas[0];
    expect(p.mean[0]).toBeCloseTo(mean, 13);
    expect(p.cov.data[0]).toBeCloseTo(v, 13);
    const model = { score: affine(B, c), variance: 'beta' as const, prior: new Gaussian([0.2], fromRows([[1.3]])) };
    expect(ddpmModelLogLikelihood(model, schedule, [0.4])).toBeCloseTo(-0.5 * (Math.log(2 * Math.PI * v) + (0.4 - mean) ** 2 / v), 12);
  });

  test('2-d, correlated data, exact score: the marginal covariance is symmetric and G S Gᵀ + σ² I', () => {
    const data = new Gaussian([1, -1], fromRows([[1, 0.5], [0.5, 2]]));
    const schedule = vpFromBetas([0.2]);
    const p = ddpmModelMarginal({ score: gaussianScoreModel(data, schedule), variance: 'beta', prior: marginalPrior(data, schedule) }, schedule);
    // one step: G = (I + β B)/√α with B = −(αΣ + βI)⁻¹, prior N(√α μ, αΣ + βI): G S Gᵀ = (S + βB S)(…)ᵀ/α
    const al = 0.8, be = 0.2;
    const S = [[al * 1 + be, al * 0.5], [al * 0.5, al * 2 + be]];
    const det = S[0][0] * S[1][1] - S[0][1] * S[1][0];
    const Binv = [[-S[1][1] / det, S[0][1] / det], [S[1][0] / det, -S[0][0] / det]];
    const Gm = [0, 1].map((i) => [0, 1].map((j) => ((i === j ? 1 : 0) + be * Binv[i][j]) / Math.sqrt(al)));
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) {
      let v = i === j ? be : 0;
      for (let k = 0; k < 2; k++) for (let l = 0; l < 2; l++) v += Gm[i][k] * S[k][l] * Gm[j][l];
      expect(p.cov.data[i * 2 + j]).toBeCloseTo(v, 12);
    }
  });
});

describe('priors and the isotropic family N(m, vI) (Li & Yan 2024, application 1)', () => {
  const schedule = vpFromBetas(betas);
  test('standard N(0, I); marginal N(a_T μ, a_T²Σ + s_T²I); the family\'s score and both priors', () => {
    const sp = standardPrior(2);
    expect(Array.from(sp.mean)).toEqual([0, 0]);
    expect(Array.from(sp.cov.data)).toEqual([1, 0, 0, 1]);
    const data = new Gaussian([1, 2], fromRows([[2, 0], [0, 0.5]]));
    const mp = marginalPrior(data, schedule);
    expect(mp.mean[1]).toBeCloseTo(Math.sqrt(a2[2]) * 2, 14);
    expect(mp.cov.data[3]).toBeCloseTo(a2[2] * 0.5 + s2[2], 14);
    const fam = isotropicFamilyModel([1, -1], 0.5, schedule);
    expect(fam.variance).toBe('beta');
    expect(fam.prior.mean[1]).toBeCloseTo(-Math.sqrt(a2[2]), 14);
    expect(fam.prior.cov.data[0]).toBeCloseTo(a2[2] * 0.5 + s2[2], 14);
    const at1 = fam.score.at(1), V = a2[1] * 0.5 + s2[1];
    expect(at1.B.data[0]).toBeCloseTo(-1 / V, 14);
    expect(at1.c[1]).toBeCloseTo((Math.sqrt(a2[1]) * -1) / V, 14);
    const std = isotropicFamilyModel([1, -1], 0.5, schedule, { prior: 'standard', variance: 'betaTilde' });
    expect(Array.from(std.prior.mean)).toEqual([0, 0]);
    expect(std.variance).toBe('betaTilde');
    expect(() => isotropicFamilyModel([1], 0, schedule)).toThrow(/^v/);
  });

  test('data moments of a mixture by the law of total covariance; the NLL minimizer m = μ, v = tr S/d', () => {
    const mix = new GaussianMixture([0.5, 0.5], [new Gaussian([-1, 0], fromRows([[1, 0], [0, 1]])), new Gaussian([1, 2], fromRows([[1, 0], [0, 1]]))]);
    const mo = dataMoments(mix);
    expect(Array.from(mo.mean)).toEqual([0, 1]);
    [2, 1, 1, 2].forEach((v, i) => expect(mo.cov.data[i]).toBeCloseTo(v, 15));
    const w = new GaussianMixture([0.25, 0.75], [new Gaussian([-1], fromRows([[1]])), new Gaussian([3], fromRows([[2]]))]);
    expect(dataMoments(w).cov.data[0]).toBeCloseTo(0.25 + 1.5 + 0.25 * 9 + 0.75 * 1, 14);
    const nll = isotropicNllMinimizer(mo);
    expect(Array.from(nll.mean)).toEqual([0, 1]);
    expect(nll.variance).toBeCloseTo(2, 15);
  });

  test('the sampler NLL −E log p_θ^T(x_0) = KL(data ‖ p_θ^T) + H(data), correlated data (trace and quadratic terms)', () => {
    const data = new Gaussian([1, -0.5], fromRows([[1.5, 0.6], [0.6, 0.8]]));
    const mo = dataMoments(data);
    for (const prior of ['model-marginal', 'standard'] as const) {
      const p = ddpmModelMarginal(isotropicFamilyModel([0.3, 0.1], 0.7, schedule, { prior }), schedule);
      const entropy = 0.5 * (2 * Math.log(2 * Math.PI * Math.E) + data.logDetCov());
      expect(isotropicSamplerNll(mo, schedule, [0.3, 0.1], 0.7, { prior })).toBeCloseTo(gaussianKL(data, p) + entropy, 11);
    }
  });

  test('the family minimizers minimize: the objective does not drop when m or v moves; model-marginal prior keeps m = μ', () => {
    const mo = dataMoments(new Gaussian([1, -0.5], fromRows([[1.5, 0.3], [0.3, 0.5]])));
    for (const prior of ['model-marginal', 'standard'] as const) {
      const fit = isotropicElboMinimizer(mo, schedule, { prior });
      const f = (m: ArrayLike<number>, v: number) => isotropicElboObjective(mo, schedule, m, v, { prior });
      expect(fit.objective).toBeCloseTo(f(fit.mean, fit.variance), 12);
      for (const k of [0.98, 1.02]) {
        expect(f(fit.mean, fit.variance * k)).toBeGreaterThan(fit.objective - 1e-12);
        expect(f(Array.from(fit.mean, (x) => x * k), fit.variance)).toBeGreaterThan(fit.objective - 1e-12);
      }
      if (prior === 'model-marginal') expect(Array.from(fit.mean)).toEqual([1, -0.5]);
      // N(0, I) prior: the τ-search runs (three evaluations, vertex of the parabola); every term but the
      // m-independent prior is translation-equivariant, so its vertex is τ = 1 up to rounding
      else fit.mean.forEach((x, i) => expect(x).toBeCloseTo([1, -0.5][i], 9));
      const nll = isotropicSamplerNllMinimizer(mo, schedule, { prior });
      const g = (v: number) => isotropicSamplerNll(mo, schedule, nll.mean, v, { prior });
      expect(g(nll.variance * 1.02)).toBeGreaterThan(nll.objective - 1e-12);
      expect(g(nll.variance * 0.98)).toBeGreaterThan(nll.objective - 1e-12);
    }
    // μ = 0 with the standard prior: nothing to scale
    const zero = dataMoments(new Gaussian([0, 0], scaledIdentity(2, 1)));
    expect(Array.from(isotropicElboMinimizer(zero, schedule, { prior: 'standard' }).mean)).toEqual([0, 0]);
  });

  test('the sampler-NLL minimizer far from tr S/d (small T) is found; where the NLL decreases as v → 0 (T = 1) there is none', () => {
    // The audit's case: d = 1, S = 0.0224, T = 5. The minimizer sits at log v ≈ log S − 3.07, just outside the
    // window log S ± 3 that the search used to be confined to (it returned the window's end there).
    const mo = dataMoments(new Gaussian([-0.52], fromRows([[0.022387211385683392]])));
    const s5 = scaledLinearSchedule(5);
    const fit = isotropicSamplerNllMinimizer(mo, s5);
    const g = (u: number) => isotropicSamplerNll(mo, s5, fit.mean, Math.exp(u));
    const u0 = Math.log(0.022387211385683392);
    let grid = Infinity;
    for (let i = 0; i <= 4000; i++) grid = Math.min(grid, g(u0 - 10 + (20 * i) / 4000));
    expect(fit.objective).toBeLessThanOrEqual(grid + 1e-12 * Math.abs(grid));
    expect(Math.log(fit.variance) - u0).toBeLessThan(-3);
    // Negative control: the old window's end is measurably worse than the minimum.
    expect(g(u0 - 3) - fit.objective).toBeGreaterThan(1e-5);
    // T = 1: −E log p_θ^1 decreases monotonically as v → 0 (to a finite limit), so no member minimizes it.
    const mo2 = dataMoments(new Gaussian([0.5, -0.2], fromRows([[0.3, 0.1], [0.1, 0.3]])));
    const s1 = scaledLinearSchedule(1);
    for (const u of [-2, -6, -12]) expect(isotropicSamplerNll(mo2, s1, mo2.mean, Math.exp(u - 1))).toBeLessThan(isotropicSamplerNll(mo2, s1, mo2.mean, Math.exp(u)));
    expect(() => isotropicSamplerNllMinimizer(mo2, s1)).toThrow(expect.objectContaining({ name: 'NoMinimizerError', direction: 'lower' }));
    // The ELBO minimizer at T = 1 is still the moment-matched member.
    expect(isotropicElboMinimizer(mo2, s1).variance).toBeCloseTo(0.3, 7);
  });
});
