import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { classifierPoint } from '../src/arbitraries/index.ts';
import { scaledLinearSchedule } from '../src/diffusion/index.ts';
import { Gaussian } from '../src/gaussian/index.ts';
import { fromRows } from '../src/linalg/index.ts';
import { classifierPointBound, priorMismatchFloor, priorMismatchShift, vanishingTerminalSchedule } from '../src/theory/classifierPointLimit.ts';
import { discreteDensityFormula } from '../src/theory/discreteDensityFormula.ts';
import { discreteFormulaErrorBound } from '../src/theory/discreteFormulaErrorBound.ts';
import { gaussianDensityIntegrand } from '../src/theory/gaussianDensityIntegrand.ts';
import { mmseNoisePredictor } from '../src/theory/mmseNoisePredictor.ts';
import { classModel } from '../src/theory/diffusionClassifier.ts';
import { chainPosterior, ddpmChain } from '../src/theory/ddpmChain.ts';
import { ddpmElbo } from '../src/theory/elbo.ts';

// MATH.md §13.7: the diffusion classifier at a point with the N(0, I) prior.

const caseArb = classifierPoint();

/** ELBO_c(x) − log q_c(x) with the N(0, I) prior on the scaled-linear schedule at T. */
function elboGap(c: Gaussian, x0: number[], T: number): number {
  const s = scaledLinearSchedule(T);
  return ddpmElbo(classModel(c, s, { prior: 'standard' }), s, { mean: x0 }).elbo - c.logPdf(x0);
}

describe('the small-step limit keeps a prior-mismatch shift δ_c(x)', () => {
  // e_T = ELBO − log q − δ ≈ a/T + b/T²: where a and b have opposite signs e_T crosses 0 near T* = −b/a, so no two
  // T's give a reliable ratio (suite seeds 106 and 121 of the long run: 200 → 1600 shrank 3.8×, with T* ≈ 110).
  // One crossing can sink only one of two coarse T's: max(|e_200|, |e_400|) ≥ 4|e_6400| for every T* (the worst,
  // T* ≈ 240, still gives 6.7×), while a shift that is not the limit keeps |e_6400| near 2|δ| (control below).
  test.prop([caseArb], { numRuns: 20 })('ELBO_c(x) − log q_c(x) → δ_c(x) (scaled-linear): |e_6400| ≤ max(|e_200|, |e_400|)/4', ({ classes, x0 }) => {
    const c = classes[0];
    const dist = [200, 400, 6400].map((T) => {
      const ab = scaledLinearSchedule(T).alphaBar(T);
      return Math.abs(elboGap(c, x0, T) - priorMismatchShift([c], x0, ab)[0]);
    });
    expect(dist[2]).toBeLessThanOrEqual(Math.max(dist[0], dist[1]) / 4 + 1e-11);
  });

  // A class far from the N(0, I) prior, where δ_c(x) is comparable to the discretization error at T = 1600.
  // (Drawn cases near the prior have |δ_c| ≪ that error, so the opposite sign converges as well: 30 random
  // cases at SCORECHECK_SEED=2 held none that could tell the signs apart, and the control failed to fail.)
  test('negative control: for classes far from the prior, the shift with the opposite sign is not the limit', () => {
    for (const [mean, variance, x] of [[8, 4, 7], [6, 0.5, 6]]) {
      const c = new Gaussian([mean], fromRows([[variance]]));
      const dist = (sign: number) => [200, 400, 6400].map((T) => Math.abs(elboGap(c, [x], T) - sign * priorMismatchShift([c], [x], scaledLinearSchedule(T).alphaBar(T))[0]));
      const right = dist(1), wrong = dist(-1);
      expect(right[2]).toBeLessThanOrEqual(Math.max(right[0], right[1]) / 4 + 1e-11);
      expect(wrong[2]).toBeGreaterThan(Math.max(wrong[0], wrong[1]) / 4 + 1e-11);
    }
  });

  // floor(ᾱ) ≈ |Aᾱ + Bᾱ²| can cross 0 at ᾱ* = −A/B, so one coarse point is not enough (suite seed 133: a class
  // near the prior, floor(10⁻³)/floor(10⁻⁶) = 65). With two, ᾱ = 10⁻³ and 2·10⁻³, the worst crossing (ᾱ* = 1.67·10⁻³)
  // still leaves max(floor(10⁻³), floor(2·10⁻³)) = 400·floor(10⁻⁶).
  test.prop([caseArb], { numRuns: 30 })('the floor is O(ᾱ_T): floor(10⁻⁶) ≤ 10⁻²·max(floor(10⁻³), floor(2·10⁻³)) + rounding', ({ classes, weights, x0 }) => {
    const coarse = Math.max(...[1e-3, 2e-3].map((ab) => priorMismatchFloor(classes, weights, x0, ab))), f6 = priorMismatchFloor(classes, weights, x0, 1e-6);
    expect(f6).toBeLessThanOrEqual(1e-2 * coarse + 1e-13);
  });
});

describe('TV(p̂_T(·|x), Bayes) with the N(0, I) prior', () => {
  const atT = fc.record({ point: classifierPoint({ maxConditionNumber: 100, centreRange: 0.5, pointBound: 3, maxDim: 3 }), T: fc.integer({ min: 4, max: 50 }).map((k) => Math.round(2 ** (k / 4))) });

  test.prop([atT], { numRuns: 20 })('σ_t² = β_t, N(0, I) prior: ELBO_c(x) − F_{c,T}(x) is the same for every class (the density formula on the grid, MATH.md §13.7)', ({ point, T }) => {
    const s = vanishingTerminalSchedule(T);
    const x0 = point.x0;
    const offs = point.classes.map((c) => ddpmElbo(classModel(c, s, { prior: 'standard', variance: 'beta' }), s, { mean: x0 }).elbo - discreteDensityFormula(x0, mmseNoisePredictor(c), s, 'riemann').logDensity);
    for (const o of offs) expect(Math.abs(o - offs[0])).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(offs[0])) + 1e-13 * T);
    // and the offset in closed form: C_T(x) = −(d/2) log β_1 − (d/2) Σ_{t≥2} [β̃_t/β_t − 1 − log(β̃_t/β_t) + β_tᾱ_t/(α_t(1 − ᾱ_t))]
    //                                        − ½[ᾱ_T(‖x‖² − d) − d log(1 − ᾱ_T)]
    const ch = ddpmChain(s), d = x0.length;
    let C = -0.5 * d * Math.log(ch.beta[1]);
    for (let t = 2; t <= T; t++) {
      const r = chainPosterior(ch, t).betaTilde / ch.beta[t];
      C -= 0.5 * d * (r - 1 - Math.log(r) + (ch.beta[t] * ch.a2[t]) / (ch.alpha[t] * ch.s2[t]));
    }
    C -= 0.5 * (ch.a2[T] * (x0.reduce((a, v) => a + v * v, 0) - d) - d * Math.log(ch.s2[T]));
    expect(Math.abs(offs[0] - C)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(C)) + 1e-13 * T);
  });

  test('negative control: with σ_t² = β̃_t the per-class terms are weighted differently, and the offset depends on the class', () => {
    const out = fc.check(fc.property(atT, ({ point, T }) => {
      const s = vanishingTerminalSchedule(Math.max(T, 8));
      const offs = point.classes.map((c) => ddpmElbo(classModel(c, s, { prior: 'standard', variance: 'betaTilde' }), s, { mean: point.x0 }).elbo - discreteDensityFormula(point.x0, mmseNoisePredictor(c), s, 'riemann').logDensity);
      return offs.every((o) => Math.abs(o - offs[0]) <= 1e-9 * (1 + Math.abs(offs[0])));
    }), { numRuns: 20 });
    expect(out.failed).toBe(true);
  });

  test.prop([atT], { numRuns: 20 })('Li–Yan schedule, every T: the logits\' spread R ≤ B_c + B_c′ and TV ≤ tanh((B_c + B_c′)/4), a bound that vanishes with max Δ_t ≤ 4 log T/T and ᾱ_T', ({ point, T }) => {
    const b = classifierPointBound(point.classes, point.weights, point.x0, vanishingTerminalSchedule(T));
    expect(b.spread).toBeLessThanOrEqual(b.spreadBound + b.spreadFloor);
    expect(b.tv).toBeLessThanOrEqual(Math.tanh((b.spreadBound + b.spreadFloor) / 4) + b.tvFloor);
    expect(b.maxStep).toBeLessThanOrEqual((4 * Math.log(T)) / T);
  });

  test('the per-class bound vanishes on the Li–Yan schedule and not on the scaled-linear one (ᾱ_T fixed: floor ½ᾱ_T sup|g|)', () => {
    const g = gaussianDensityIntegrand(new Gaussian([0.5, 0], { rows: 2, cols: 2, data: Float64Array.from([1, 0.2, 0.2, 0.5]) }), [0.2, 0.1]);
    const at = (s: (T: number) => ReturnType<typeof scaledLinearSchedule>) => [1e5, 1e6].map((T) => discreteFormulaErrorBound(g, s(T)).bound);
    const ly = at((T) => vanishingTerminalSchedule(T)), sl = at(scaledLinearSchedule);
    expect(ly[1]).toBeLessThan(ly[0] / 5);
    expect(sl[1]).toBeGreaterThan(sl[0] / 2);
    expect(sl[1]).toBeGreaterThanOrEqual(0.5 * scaledLinearSchedule(1e6).alphaBar(1e6) * g.supremum);
  });

  test('the Li–Yan schedule: ᾱ_T → 0 and max β_t → 0 as T grows', () => {
    const stats = [100, 1000, 10000].map((T) => {
      const s = vanishingTerminalSchedule(T);
      return { ab: s.alphaBar(T), maxBeta: Math.max(...s.betas) };
    });
    for (let i = 1; i < stats.length; i++) {
      expect(stats[i].ab).toBeLessThan(stats[i - 1].ab);
      expect(stats[i].maxBeta).toBeLessThan(stats[i - 1].maxBeta);
    }
  });
});
