import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { affineScoreModel, dimension, gaussianOfDim, mcSeed, noiseLevelArb } from '../src/arbitraries/index.ts';
import {
  type GradientImpl, type VincentImpl, type VincentMcImpl, checkGradientEquality, checkGradientFiniteDifferences,
  checkVincentMonteCarlo, checkVincentPerTimestep, checkWeightedVincent, gradientCases, referenceVincentImpl, referenceVincentMcImpl,
  vincentCases, vincentMcCases, weightedVincentCases,
} from '../src/claims/xu2025/vincent.ts';
import { withHalvedMarginalNoise } from '../src/claims/xu2025/halvedMarginalNoise.ts';
import type { NoiseLevel } from '../src/diffusion/index.ts';
import { Gaussian } from '../src/gaussian/index.ts';
import { prepareGaussianGap } from '../src/objectives/reducedVariance/gaussianGapTerms.ts';
import { createRng, criticalZ, meanTolerance, perAssertionFalseAlarm } from '../src/mc/index.ts';
import { dsmAffine, dsmAffineGradient, dsmMonteCarlo, esmAffine, esmAffineGradient, esmMonteCarlo } from '../src/objectives/index.ts';
import { exactMarginalScore } from '../src/theory/vincentScoreFunction.ts';
import { vincentConstant } from '../src/theory/vincent.ts';

// Theorem 1 (MATH.md §2): DSM(θ) − ESM(θ) = C_t for every θ.
// Negative controls run the same check with a deliberately wrong implementation
// and must be rejected (fc.check must find a failing case).

const halfNoise = (l: NoiseLevel): NoiseLevel => ({ a: l.a, s: 0.5 * l.s });
const wrongMarginalEsm: VincentImpl = { ...referenceVincentImpl, esm: (m, d, l) => esmAffine(m, d, halfNoise(l)).mean };
const missingSFactor: VincentImpl = { ...referenceVincentImpl, constant: (d, l) => vincentConstant(d, l) + d.dim / l.s - d.dim / (l.s * l.s) };

describe('Vincent per timestep (closed form, affine models)', () => {
  test.prop([vincentCases()])('DSM − ESM = C_t for two models (relative 1e-9)', (c) => {
    const o = checkVincentPerTimestep(c);
    expect(o.holds, JSON.stringify(o.quantities)).toBe(true);
  });
  test('negative control: ESM against the wrong marginal (s halved) is rejected', () => {
    expect(fc.check(fc.property(vincentCases(), (c) => checkVincentPerTimestep(c, wrongMarginalEsm).holds)).failed).toBe(true);
  });
  test('negative control: C_t with d/s instead of d/s² is rejected', () => {
    expect(fc.check(fc.property(vincentCases(), (c) => checkVincentPerTimestep(c, missingSFactor).holds)).failed).toBe(true);
  });
});

describe('Vincent weighted over t', () => {
  test.prop([weightedVincentCases()], { numRuns: 60 })('Σλ_t DSM_t − Σλ_t ESM_t = Σλ_t C_t (per-t models)', (c) => {
    const o = checkWeightedVincent(c);
    expect(o.holds, JSON.stringify(o.quantities)).toBe(true);
  });
  test('negative control: a C_t with d/s instead of d/s² is rejected', () => {
    expect(fc.check(fc.property(weightedVincentCases(), (c) => checkWeightedVincent(c, missingSFactor).holds), { numRuns: 60 }).failed).toBe(true);
  });
});

describe('∇_θ DSM = ∇_θ ESM', () => {
  test.prop([gradientCases()])('analytic gradients agree', (c) => {
    expect(checkGradientEquality(c).holds).toBe(true);
  });
  test.prop([gradientCases(3)], { numRuns: 50 })('analytic gradients match central finite differences (DSM and ESM)', (c) => {
    expect(checkGradientFiniteDifferences(c, 'dsm').holds).toBe(true);
    expect(checkGradientFiniteDifferences(c, 'esm').holds).toBe(true);
  });
  const wrongGrad: GradientImpl = { dsmGradient: dsmAffineGradient, esmGradient: (m, d, l) => esmAffineGradient(m, d, halfNoise(l)) };
  test('negative control: ESM gradient against the wrong marginal is rejected', () => {
    expect(fc.check(fc.property(gradientCases(), (c) => checkGradientEquality(c, wrongGrad).holds)).failed).toBe(true);
  });
  test('negative control: finite differences reject a gradient missing its factor 2', () => {
    const half = (m: Parameters<typeof dsmAffineGradient>[0], d: Parameters<typeof dsmAffineGradient>[1], l: NoiseLevel) => dsmAffineGradient(m, d, l).map((v) => v / 2);
    expect(fc.check(fc.property(gradientCases(3), (c) => checkGradientFiniteDifferences(c, 'dsm', half).holds), { numRuns: 50 }).failed).toBe(true);
  });
});

/** ESM against the wrong marginal (half the noise) on both paths: the reduced kernel (Gaussian data) and the same-draw estimator (mixtures). */
const wrongMarginalMc: VincentMcImpl = {
  esmMarginal: (data, level) => exactMarginalScore(data, halfNoise(level)),
  prepare: (d, l, m) => withHalvedMarginalNoise(prepareGaussianGap(d, l, m)),
  constant: vincentConstant,
};
const missingSFactorMc: VincentMcImpl = { ...referenceVincentMcImpl, constant: missingSFactor.constant };
const gaussianMcCases = vincentMcCases().filter((c) => c.data instanceof Gaussian);
const mixtureMcCases = vincentMcCases().filter((c) => !(c.data instanceof Gaussian));
// Controls only need one failing case: no shrinking.
const rejected = <T>(arb: fc.Arbitrary<T>, holds: (c: T) => boolean, numRuns: number) =>
  fc.check(fc.property(arb, holds), { numRuns, endOnFailure: true }).failed;

describe('Vincent by Monte Carlo (MLP models, Gaussian and mixture data)', () => {
  // 100 runs × 1 assertion charged to 'vincent.mc'. Stated power: every case sizes its draws to detect
  // 10 % of C_t at power 0.99 (checkVincentMonteCarlo); Gaussian data with control variates of exact
  // mean, mixtures with the same-draw D. The detectable discrepancy is asserted, not only reported.
  test.prop([vincentMcCases()])('DSM − ESM matches C_t, each case able to detect 10 % of C_t (Gaussian: E B = 0 with reduced variance; mixtures: same-draw D)', (c) => {
    const o = checkVincentMonteCarlo(c, perAssertionFalseAlarm('vincent.mc'));
    expect(o.holds, `z = ${o.z}, zCritical = ${o.zCritical}, ${JSON.stringify(o.quantities)}`).toBe(true);
    expect(o.detectable?.relative, JSON.stringify(o.quantities)).toBeLessThanOrEqual(0.1);
  });
  test('negative control: ESM against the wrong marginal (s halved) is rejected — reduced path (Gaussian data)', () => {
    expect(rejected(gaussianMcCases, (c) => checkVincentMonteCarlo(c, perAssertionFalseAlarm('vincent.mc'), wrongMarginalMc).holds, 30)).toBe(true);
  });
  test('negative control: ESM against the wrong marginal (s halved) is rejected — same-draw path (mixtures)', () => {
    expect(rejected(mixtureMcCases, (c) => checkVincentMonteCarlo(c, perAssertionFalseAlarm('vincent.mc'), wrongMarginalMc).holds, 30)).toBe(true);
  });
  test('negative control: C_t with d/s instead of d/s² is rejected by the same Monte Carlo check', () => {
    expect(rejected(gaussianMcCases, (c) => checkVincentMonteCarlo(c, perAssertionFalseAlarm('vincent.mc'), missingSFactorMc).holds, 30)).toBe(true);
  });

  // 100 runs × 2 assertions charged to 'vincent.mc', exact per-sample variance from affineSquaredNormMoments.
  // About the plain estimators dsmMonteCarlo/esmMonteCarlo themselves (each objective alone, not
  // the gap), so no control variate: it would replace what is being tested. Detects, with power
  // 0.99, a shift of (z_α + z_0.01)·√(Var/2000) ≈ 0.19·sd of one draw of each objective.
  const closedFormCases = dimension({ max: 5 }).chain((d) =>
    fc.record({ data: gaussianOfDim(d, { maxConditionNumber: 1e3 }), level: noiseLevelArb(), model: affineScoreModel(d), seed: mcSeed() }),
  );
  const alpha = perAssertionFalseAlarm('vincent.mc');
  const N = 2000;
  test.prop([closedFormCases])('MC DSM and ESM agree with the closed forms (exact-variance tolerance)', (c) => {
    const dsm = dsmAffine(c.model, c.data, c.level), esm = esmAffine(c.model, c.data, c.level);
    const rng = createRng(`vincent-closed/${c.seed}`);
    const ed = dsmMonteCarlo(c.model, c.data, c.level, rng.fork('dsm'), N);
    const ee = esmMonteCarlo(c.model, c.data, c.level, rng.fork('esm'), N);
    // A model equal to the exact score has ESM ≡ 0 per sample (variance 0): floating-point
    // floor of 1e-9 of the objectives' size.
    const floor = 1e-9 * dsm.mean;
    expect(Math.abs(ed.mean - dsm.mean)).toBeLessThanOrEqual(meanTolerance(dsm.variance, N, alpha) + floor);
    expect(Math.abs(ee.mean - esm.mean)).toBeLessThanOrEqual(meanTolerance(esm.variance, N, alpha) + floor);
  });
  test('negative control: closed-form ESM against the wrong marginal is rejected by the same test', () => {
    const out = fc.check(fc.property(closedFormCases, (c) => {
      const wrong = esmAffine(c.model, c.data, halfNoise(c.level));
      const ee = esmMonteCarlo(c.model, c.data, c.level, createRng(`vincent-closed/${c.seed}`).fork('esm'), N);
      return Math.abs(ee.mean - wrong.mean) <= criticalZ(alpha) * Math.sqrt(wrong.variance / N);
    }), { numRuns: 30 });
    expect(out.failed).toBe(true);
  });
});
