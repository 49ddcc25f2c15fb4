import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { dimension, gaussianOfDim, mixtureOfDim } from '../src/arbitraries/index.ts';
import { Gaussian, GaussianMixture, gaussianKL } from '../src/gaussian/index.ts';
import { fromRows } from '../src/linalg/index.ts';
import { dsmRegularizer, entropyByQuadrature, klByQuadrature, scoreDivergenceDensity, scoreDivergenceIntegral } from '../src/theory/ganScoreRegularization.ts';

// MATH.md §13.5: Li & Yan 2024 §4.2 — score-matching regularization in GAN training.

const SPD = { maxConditionNumber: 30, centreRange: 0.5, meanBound: 2 } as const;
const gaussPair = dimension({ max: 3 }).chain((d) => fc.record({ generator: gaussianOfDim(d, SPD), data: gaussianOfDim(d, SPD) }));
const mixPair = fc.integer({ min: 1, max: 2 }).chain((d) => fc.record({
  generator: mixtureOfDim(d, { ...SPD, maxComponents: 2 }),
  data: mixtureOfDim(d, { ...SPD, maxComponents: 2 }),
}));

describe('KL(p_G ‖ p_data) written through the scores along the forward process', () => {
  test.prop([gaussPair], { numRuns: 30 })('Gaussian generator and data: ½∫E_{p_G,α}‖ε*_data − ε*_G‖² dλ = KL(p_G ‖ p_data) (closed form)', ({ generator, data }) => {
    const r = scoreDivergenceIntegral(generator, data);
    const kl = gaussianKL(generator, data);
    expect(Math.abs(r.value - kl)).toBeLessThanOrEqual(r.error + 1e-10 * Math.max(1, kl));
  });

  test.prop([mixPair], { numRuns: 6 })('Gaussian mixtures (d ≤ 2): the same identity against the KL by Gauss–Hermite quadrature', ({ generator, data }) => {
    const r = scoreDivergenceIntegral(generator, data);
    const kl = klByQuadrature(generator, data);
    expect(Math.abs(r.value - kl.value)).toBeLessThanOrEqual(r.error + kl.error + 1e-9 * Math.max(1, kl.value));
  });

  test('regression (SCORECHECK_SEED=18 of the long run): a 2-d mixture pair where the 30² and 20² rules erred alike — the error estimate with the 15² rule covers the difference', () => {
    const g = (m: number[], c: number[][]) => new Gaussian(m, fromRows(c));
    const generator = new GaussianMixture([0.5, 0.5], [g([0.55, 0.05], [[2.14154024730963, 0.368884263626297], [0.368884263626297, 0.8384911325596275]]), g([0, 0], [[1, 0], [0, 1]])]);
    const data = new GaussianMixture([0.3121686694171596, 0.6878313305828404], [
      g([1.6, 0.03], [[0.25704055486620564, -0.0004882940085809849], [-0.0004882940085809849, 0.5011862570379529]]),
      g([0, 0], [[0.4548228844699063, -0.12408721379704248], [-0.12408721379704248, 0.9717566343316862]]),
    ]);
    const r = scoreDivergenceIntegral(generator, data, { nodes: 30 }); // the rule of that run (the 2-d default is 48 since seed 41)
    const kl = klByQuadrature(generator, data);
    expect(Math.abs(r.value - kl.value)).toBeGreaterThan(1e-3); // a hard case: the two sides differ by 1.4e-3
    expect(Math.abs(r.value - kl.value)).toBeLessThanOrEqual(r.error + kl.error + 1e-9 * Math.max(1, kl.value));
  });

  test('regression (SCORECHECK_SEED=41 of the long run): a data component of variance 0.1 — 30² nodes err by ≈ 0.021, where the nested rules alone estimated 0.017; with the rotated grid the estimate covers it at 30² and at the 48² default', () => {
    const g = (m: number[], c: number[]) => new Gaussian(m, fromRows([[c[0], c[1]], [c[2], c[3]]]));
    const generator = new GaussianMixture([0.5, 0.5], [g([-0.01, -1.47], [0.83930239254535, -0.0865769064545997, -0.0865769064545997, 0.6342207834850886]), g([0.02, 0], [0.2981053327959775, -0.18146783258943, -0.18146783258943, 0.9530833103549804])]);
    const data = new GaussianMixture([0.4501660026875221, 0.549833997312478], [
      g([1.07, 0], [0.3358230899814556, 0.10845499273395293, 0.10845499273395293, 0.1680374171625133]),
      g([0.53, -1.98], [1.0232782196716652, 0.00369313257541474, 0.00369313257541474, 0.100014772609089]),
    ]);
    const kl = klByQuadrature(generator, data), h = entropyByQuadrature(generator);
    const want = kl.value + h.value - Math.log(2 * Math.PI * Math.E);
    const slack = (r: { value: number; error: number }) => Math.abs(r.value - want) - (r.error + kl.error + h.error);
    const at30 = dsmRegularizer(generator, data, { nodes: 30 });
    expect(Math.abs(at30.value - want)).toBeGreaterThan(0.02); // a hard case: more than the nested rules' 0.017
    expect(slack(at30)).toBeLessThan(0);
    expect(slack(dsmRegularizer(generator, data))).toBeLessThan(-0.01); // the default: covered with room
  });

  test.prop([gaussPair], { numRuns: 30 })('Gaussian: the DSM-form regularizer (frozen data model) = KL(p_G ‖ p_data) + H(p_G) − (d/2) log 2πe', ({ generator, data }) => {
    const r = dsmRegularizer(generator, data);
    const h = entropyByQuadrature(generator).value;
    const want = gaussianKL(generator, data) + h - 0.5 * generator.dim * Math.log(2 * Math.PI * Math.E);
    expect(Math.abs(r.value - want)).toBeLessThanOrEqual(r.error + 1e-10 * (1 + Math.abs(want)));
  });

  test.prop([mixPair], { numRuns: 4 })('the DSM-form regularizer (frozen data model) = KL(p_G ‖ p_data) + H(p_G) − (d/2) log 2πe: the generator\'s entropy enters', ({ generator, data }) => {
    const r = dsmRegularizer(generator, data);
    const kl = klByQuadrature(generator, data), h = entropyByQuadrature(generator);
    const want = kl.value + h.value - 0.5 * generator.dim * Math.log(2 * Math.PI * Math.E);
    expect(Math.abs(r.value - want)).toBeLessThanOrEqual(r.error + kl.error + h.error + 1e-9 * (1 + Math.abs(want)));
  });

  test('negative control: the reading "the DSM-form regularizer equals KL(p_G ‖ p_data) up to a constant" is rejected (the entropy term moves with G)', () => {
    const out = fc.check(fc.property(gaussPair, gaussPair, ({ generator: g1, data }, { generator: g2Base }) => {
      fc.pre(g1.dim === g2Base.dim);
      const r1 = dsmRegularizer(g1, data).value - gaussianKL(g1, data);
      const r2 = dsmRegularizer(g2Base, data).value - gaussianKL(g2Base, data);
      return Math.abs(r1 - r2) <= 1e-6;
    }), { numRuns: 30 });
    expect(out.failed).toBe(true);
  });

  test('negative control: MAR\'s weighting 1/(2π cosh(λ/2)) in place of ½ does not give the KL', () => {
    const out = fc.check(fc.property(gaussPair.filter(({ generator }) => generator.dim <= 2), ({ generator, data }) => {
      const grid = Array.from({ length: 801 }, (_, i) => -40 + i * 0.1);
      const dens = scoreDivergenceDensity(generator, data, grid, 12);
      let mar = 0;
      dens.forEach(({ logSnr, density }, i) => { mar += (i === 0 || i === 800 ? 0.05 : 0.1) * 2 * density / (2 * Math.PI * Math.cosh(logSnr / 2)); });
      return Math.abs(mar - gaussianKL(generator, data)) <= 1e-3 * Math.max(1e-3, gaussianKL(generator, data));
    }), { numRuns: 30 });
    expect(out.failed).toBe(true);
  });
});
