import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { dimension, gaussianOfDim, mcSeed, meanVector, noiseLevelArb, simpleDouble, spdMatrix } from '../src/arbitraries/index.ts';
import {
  type SdsObjective, checkTargetMinimizes, sdsCases, sdsDsmObjective, sdsEsmObjective,
} from '../src/claims/xu2025/sds.ts';
import { RELATIVE_TOLERANCE } from '../src/claims/xu2025/shared.ts';
import { Gaussian } from '../src/gaussian/index.ts';
import { type Matrix, matvec, scale, spdTraceInverse, addScaledIdentity } from '../src/linalg/index.ts';
import { createRng, meanTolerance, perAssertionFalseAlarm } from '../src/mc/index.ts';
import { AffineScoreModel } from '../src/models/index.ts';
import { dsmAffine, dsmMonteCarlo, esmAffine, esmMonteCarlo } from '../src/objectives/index.ts';
import {
  type InputDistribution, sdsDsm, sdsDsm1d, sdsDsmGradient, sdsDsmGradient1d, sdsDsmMinimizer, sdsDsmMoments, sdsEsm, sdsEsm1d,
  sdsEsmGradient, sdsEsmGradient1d, sdsEsmMoments, sdsGap, sdsGradientDescent,
} from '../src/theory/sds.ts';
import { gaussianMarginalPrecision } from '../src/theory/vincentScoreFunction.ts';
import type { NoiseLevel } from '../src/diffusion/index.ts';

// MATH.md §2 Corollary: optimizing p_φ = N(μ, Σ) against a frozen exact score.

const SPD = { maxConditionNumber: 100 } as const;
const problem = (maxDim = 4) => dimension({ max: maxDim }).chain((d) =>
  fc.record({
    target: gaussianOfDim(d, SPD),
    input: fc.tuple(meanVector(d), spdMatrix(d, SPD)).map(([mean, cov]) => new Gaussian(mean, cov)),
    level: noiseLevelArb(),
    seed: mcSeed(),
  }),
);

/** The frozen score s*(x) = −P*(x − aμ*) as an affine model A = −P*, b = aP*μ*. */
function frozenModel(target: Gaussian, level: NoiseLevel): AffineScoreModel {
  const P = gaussianMarginalPrecision(target.cov, level);
  return new AffineScoreModel(scale(P, -1), matvec(P, target.mean).map((v) => level.a * v));
}

const close = (x: number, y: number, mag: number) => Math.abs(x - y) <= RELATIVE_TOLERANCE * Math.max(mag, 1e-300);

describe('SDS closed forms', () => {
  test.prop([problem()])('DSM(φ), ESM(φ) equal the standard DSM/ESM of the frozen affine model on data p_φ', ({ target, input, level }) => {
    const m = frozenModel(target, level);
    const dsm = sdsDsm(input, target, level), esm = sdsEsm(input, target, level);
    const d2 = dsmAffine(m, input, level).mean, e2 = esmAffine(m, input, level).mean;
    expect(close(dsm, d2, Math.max(dsm, d2, input.dim / level.s ** 2))).toBe(true);
    expect(close(esm, e2, Math.max(esm, e2, dsm))).toBe(true);
  });
  test.prop([problem()])('DSM − ESM = d/s² − tr((a²Σ + s²I)⁻¹) (the input-dependent gap)', ({ target, input, level }) => {
    const dsm = sdsDsm(input, target, level), esm = sdsEsm(input, target, level);
    const naive = input.dim / level.s ** 2 - spdTraceInverse(addScaledIdentity(scale(input.cov, level.a ** 2), level.s ** 2));
    const gap = sdsGap(input, target, level);
    expect(close(dsm - esm, gap, Math.max(dsm, esm))).toBe(true);
    expect(close(naive, gap, input.dim / level.s ** 2)).toBe(true);
  });
  const oneD = fc.record({ mu: simpleDouble(-3, 3), v: simpleDouble(0, 10), muStar: simpleDouble(-3, 3), vStar: simpleDouble(0.01, 10), level: noiseLevelArb() });
  test.prop([oneD])('d = 1: the multivariate closed forms and gradients equal the 1-D formulas of MATH.md', ({ mu, v, muStar, vStar, level }) => {
    const target = new Gaussian([muStar], { rows: 1, cols: 1, data: Float64Array.of(vStar) });
    const input: InputDistribution = { mean: [mu], cov: { rows: 1, cols: 1, data: Float64Array.of(v) } };
    const mag = 1 / level.s ** 2 + sdsDsm1d(mu, v, muStar, vStar, level);
    expect(close(sdsDsm(input, target, level), sdsDsm1d(mu, v, muStar, vStar, level), mag)).toBe(true);
    expect(close(sdsEsm(input, target, level), sdsEsm1d(mu, v, muStar, vStar, level), mag)).toBe(true);
    const gd = sdsDsmGradient(input, target, level), g1 = sdsDsmGradient1d(mu, v, muStar, vStar, level);
    const ge = sdsEsmGradient(input, target, level), e1 = sdsEsmGradient1d(mu, v, muStar, vStar, level);
    const gm = Math.abs(g1.mu) + Math.abs(g1.v) + Math.abs(e1.v) + 1e-300;
    for (const [x, y] of [[gd.mean[0], g1.mu], [gd.cov.data[0], g1.v], [ge.mean[0], e1.mu], [ge.cov.data[0], e1.v]]) expect(close(x, y, gm)).toBe(true);
    expect(g1.v).toBeGreaterThan(0); // DSM strictly increasing in v
  });
  test('negative control: a 1-D DSM formula with V* in place of V*² is rejected', () => {
    const wrong = (mu: number, v: number, ms: number, vs: number, l: NoiseLevel) => {
      const Vs = l.a ** 2 * vs + l.s ** 2;
      return (l.a ** 2 * ((mu - ms) ** 2 + v) + l.s ** 2) / Vs - 2 / Vs + 1 / l.s ** 2;
    };
    const out = fc.check(fc.property(oneD, ({ mu, v, muStar, vStar, level }) => {
      const target = new Gaussian([muStar], { rows: 1, cols: 1, data: Float64Array.of(vStar) });
      const dsm = sdsDsm({ mean: [mu], cov: { rows: 1, cols: 1, data: Float64Array.of(v) } }, target, level);
      return close(dsm, wrong(mu, v, muStar, vStar, level), 1 / level.s ** 2 + dsm);
    }));
    expect(out.failed).toBe(true);
  });
});

describe('SDS gradients against finite differences', () => {
  /** Directional derivative along δμ = e_i or δΣ = (e_ie_jᵀ + e_je_iᵀ)/2, by central differences (and at h/2 for an error estimate). */
  function fdCheck(f: (x: InputDistribution) => number, x: Gaussian, g: { mean: Float64Array; cov: Matrix }, scaleOf: number): boolean {
    const d = x.dim;
    const dirs: { m: Float64Array; c: Float64Array; analytic: number }[] = [];
    for (let i = 0; i < d; i++) {
      const m = new Float64Array(d); m[i] = 1;
      dirs.push({ m, c: new Float64Array(d * d), analytic: g.mean[i] });
      for (let j = i; j < d; j++) {
        const c = new Float64Array(d * d); c[i * d + j] += 0.5; c[j * d + i] += 0.5;
        dirs.push({ m: new Float64Array(d), c, analytic: g.cov.data[i * d + j] });
      }
    }
    let lamMin = Infinity;
    for (let i = 0; i < d; i++) lamMin = Math.min(lamMin, x.cov.data[i * d + i]);
    const at = (dir: { m: Float64Array; c: Float64Array }, h: number) => f({
      mean: x.mean.map((v, i) => v + h * dir.m[i]),
      cov: { rows: d, cols: d, data: x.cov.data.map((v, i) => v + h * dir.c[i]) },
    });
    for (const dir of dirs) {
      const h = 1e-3 * Math.min(1, lamMin / 4);
      const fd = (hh: number) => (at(dir, hh) - at(dir, -hh)) / (2 * hh);
      const f1 = fd(h), f2 = fd(h / 2);
      const richardson = (4 * f2 - f1) / 3; // O(h⁴)
      // allowance: the observed O(h²) truncation |f1 − f2| plus rounding 1e3·ε·M/h
      const tol = Math.abs(f1 - f2) + (1e3 * Number.EPSILON * scaleOf) / h;
      if (!(Math.abs(richardson - dir.analytic) <= tol)) return false;
    }
    return true;
  }
  test.prop([problem(3)], { numRuns: 50 })('∂/∂μ and ∂/∂Σ of DSM(φ) and ESM(φ)', ({ target, input, level }) => {
    const M = sdsDsm(input, target, level) + input.dim / level.s ** 2;
    expect(fdCheck((x) => sdsDsm(x, target, level), input, sdsDsmGradient(input, target, level), M)).toBe(true);
    expect(fdCheck((x) => sdsEsm(x, target, level), input, sdsEsmGradient(input, target, level), M)).toBe(true);
  });
  test('negative control: the ESM Σ-gradient with the sign of the Fisher term flipped is rejected', () => {
    const out = fc.check(fc.property(problem(3), ({ target, input, level }) => {
      const g = sdsEsmGradient(input, target, level), gd = sdsDsmGradient(input, target, level);
      const wrong = { mean: g.mean, cov: { ...g.cov, data: g.cov.data.map((v, i) => 2 * gd.cov.data[i] - v) } };
      return fdCheck((x) => sdsEsm(x, target, level), input, wrong, sdsDsm(input, target, level) + input.dim / level.s ** 2);
    }), { numRuns: 50 });
    expect(out.failed).toBe(true);
  });
});

describe('SDS closed forms against Monte Carlo', () => {
  // 100 runs × 2 assertions charged to 'sds.mc'; exact per-sample variances.
  const alpha = perAssertionFalseAlarm('sds.mc');
  const N = 2000;
  test.prop([problem()])('MC of DSM(φ) and ESM(φ) with the frozen score', ({ target, input, level, seed }) => {
    const m = frozenModel(target, level);
    const rng = createRng(`sds-mc/${seed}`);
    const dm = sdsDsmMoments(input, target, level), em = sdsEsmMoments(input, target, level);
    const ed = dsmMonteCarlo(m, input, level, rng.fork('dsm'), N), ee = esmMonteCarlo(m, input, level, rng.fork('esm'), N);
    // When p_φ = target, ESM's per-sample value is exactly 0 (variance 0): add a
    // floating-point floor of 1e-9 of the objectives' size (DSM ≥ ESM's terms).
    const floor = RELATIVE_TOLERANCE * dm.mean;
    expect(Math.abs(ed.mean - dm.mean)).toBeLessThanOrEqual(meanTolerance(dm.variance, N, alpha) + floor);
    expect(Math.abs(ee.mean - em.mean)).toBeLessThanOrEqual(meanTolerance(em.variance, N, alpha) + floor);
  });
});

describe('direction: gradient descent on the input distribution', () => {
  const descentCase = dimension({ max: 3 }).chain((d) =>
    fc.record({
      target: gaussianOfDim(d, { maxConditionNumber: 10, centreRange: 0.5 }),
      init: fc.tuple(meanVector(d, 1), spdMatrix(d, { maxConditionNumber: 10, centreRange: 0.5 })).map(([mean, cov]) => ({ mean, cov })),
      alphaBar: simpleDouble(0.1, 0.9, 2),
    }),
  );
  const levelOf = (ab: number): NoiseLevel => ({ a: Math.sqrt(ab), s: Math.sqrt(1 - ab) });
  // Convergence tolerances of an iterative optimizer with a fixed budget (1000 Armijo
  // steps, cond ≤ 10 targets), not floating-point ones: collapse to 1e-8 of the
  // initial trace, the target to 1e-6.
  test.prop([descentCase], { numRuns: 25 })('DSM collapses (Σ → 0, higher score norm); ESM reaches the target; both match the closed-form minimizers', ({ target, init, alphaBar }) => {
    const level = levelOf(alphaBar);
    const d = target.dim;
    const dsm = sdsGradientDescent('dsm', init, target, level, { steps: 1000 });
    const esm = sdsGradientDescent('esm', init, target, level, { steps: 1000 });
    let trInit = 0, trDsm = 0, maxCovErr = 0, maxMeanErr = 0, scaleT = 0;
    for (let i = 0; i < d; i++) {
      trInit += init.cov.data[i * d + i];
      trDsm += dsm.cov.data[i * d + i];
      maxMeanErr = Math.max(maxMeanErr, Math.abs(esm.mean[i] - target.mean[i]), Math.abs(dsm.mean[i] - target.mean[i]));
    }
    for (let i = 0; i < d * d; i++) {
      maxCovErr = Math.max(maxCovErr, Math.abs(esm.cov.data[i] - target.cov.data[i]));
      scaleT = Math.max(scaleT, Math.abs(target.cov.data[i]));
    }
    expect(trDsm).toBeLessThan(1e-8 * trInit);
    // the collapsed solution has the higher score norm tr((a²Σ + s²I)⁻¹) at level t
    const norm = (c: Matrix) => spdTraceInverse(addScaledIdentity(scale(c, level.a ** 2), level.s ** 2));
    expect(norm(dsm.cov)).toBeGreaterThan(norm(esm.cov));
    const dmin = sdsDsmMinimizer(target, level);
    expect(Math.abs(dsm.values[dsm.values.length - 1] - dmin.value)).toBeLessThanOrEqual(1e-8 * (d / level.s ** 2));
    expect(maxCovErr).toBeLessThanOrEqual(1e-6 * scaleT);
    expect(maxMeanErr).toBeLessThanOrEqual(1e-6);
  });
});

describe('SDS claims', () => {
  test.prop([sdsCases()])('ESM is minimized (stationary, no competitor lower) at the target', (c) => {
    expect(checkTargetMinimizes(c, sdsEsmObjective).holds).toBe(true);
  });
  test('DSM is not: the "DSM minimizer is the target" reading is refuted on generated cases', () => {
    expect(fc.check(fc.property(sdsCases(), (c) => checkTargetMinimizes(c, sdsDsmObjective).holds)).failed).toBe(true);
  });
  test('negative control: "ESM = DSM − gap" with the gap at the wrong noise level (s/2) is rejected', () => {
    const broken: SdsObjective = {
      value: (x, t, l) => sdsDsm(x, t, l) - sdsGap(x, t, { a: l.a, s: 0.5 * l.s }),
      gradient: sdsEsmGradient,
    };
    expect(fc.check(fc.property(sdsCases(), (c) => checkTargetMinimizes(c, broken).holds)).failed).toBe(true);
  });
});
