import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { type AffineSamplerCase, affineSamplerCase, gaussianOfDim, mcSeed, mixtureOfDim, simpleDouble } from '../src/arbitraries/index.ts';
import { type AffineGuidance, affineGuidanceFn, sampleReverse } from '../src/diffusion/reverseSampler.ts';
import type { ReverseVarianceKind } from '../src/diffusion/reverseVariance.ts';
import { scaledLinearSchedule } from '../src/diffusion/schedule.ts';
import { InvalidArgumentError } from '../src/errors.ts';
import { Gaussian } from '../src/gaussian/gaussian.ts';
import { KernelMeanEmbedding, gaussianKernelCross, kernelAtoms, mmdSquared, referenceBandwidth } from '../src/gaussian/gaussianKernel.ts';
import { gaussianKL } from '../src/gaussian/klDivergence.ts';
import { GaussianMixture } from '../src/gaussian/mixture.ts';
import { add, identity, scale, symmetricEigen, trace } from '../src/linalg/index.ts';
import { perAssertionFalseAlarm } from '../src/mc/falseAlarmBudget.ts';
import { estimateMmdSquared } from '../src/mc/mmdEstimate.ts';
import { createRng } from '../src/mc/rng.ts';
import { criticalT } from '../src/mc/tolerance.ts';
import { integrate } from '../src/numerics/gaussKronrod.ts';
import { propagateAffineSampler } from '../src/theory/gaussianPropagation.ts';
import { perturbedMatchedGuidance } from '../src/theory/mismatch.ts';

// Family 'mmd.mc': RUNS × 1 statistical assertion in each of the two calibration properties,
// plus the two negative controls.
const RUNS = 12;
const ALPHA = perAssertionFalseAlarm('mmd.mc');
const SAMPLES = 4096;
const BLOCK = 32;

const spd = { maxConditionNumber: 20, centreRange: 0.5, meanBound: 1.5 };
const bandwidth = simpleDouble(-0.3, 0.5, 2).map((u) => 10 ** u);

/**
 * E k_ℓ(X, Y) independently of the closed form's Cholesky path: rotate X − Y ~ N(δ, S) to the
 * eigenbasis of S (S = QΛQᵀ, δ′ = Qᵀδ), where the kernel factorizes into d one-dimensional
 * integrals ∫ N(u; δ′_i, λ_i) exp(−u²/(2ℓ²)) du, each by adaptive Gauss–Kronrod (G7–K15) on
 * δ′_i ± 12√λ_i (the tail beyond is < 1e-31). Returns the value and the summed error estimate.
 */
function crossByQuadrature(p: GaussianMixture | Gaussian, q: GaussianMixture | Gaussian, l: number): { value: number; error: number } {
  const d = p.dim;
  let value = 0, error = 0;
  for (const a of kernelAtoms(p)) for (const b of kernelAtoms(q)) {
    const { values, vectors } = symmetricEigen(add(a.cov, b.cov));
    let prod = 1, relErr = 0;
    for (let i = 0; i < d; i++) {
      let mu = 0;
      for (let k = 0; k < d; k++) mu += vectors.data[k * d + i] * (a.mean[k] - b.mean[k]);
      const sd = Math.sqrt(Math.max(values[i], 0));
      const f = (u: number) => Math.exp(-((u - mu) ** 2) / (2 * sd * sd) - (u * u) / (2 * l * l)) / (sd * Math.sqrt(2 * Math.PI));
      const r = integrate(f, mu - 12 * sd, mu + 12 * sd, { absTol: 0, relTol: 1e-13, initialPieces: 8 });
      prod *= r.value;
      relErr += r.error / r.value;
    }
    value += a.weight * b.weight * prod;
    error += a.weight * b.weight * prod * relErr;
  }
  return { value, error };
}

const lawOfDim = (d: number) => fc.oneof(gaussianOfDim(d, spd), mixtureOfDim(d, { ...spd, maxComponents: 2 }));
const lawPair = fc.integer({ min: 1, max: 2 }).chain((d) => fc.tuple(lawOfDim(d), lawOfDim(d), bandwidth));

describe('Gaussian-kernel closed forms (MATH.md §4, divergence for mixture targets)', () => {
  test.prop([lawPair])('E k_ℓ(X, Y) matches eigenbasis Gauss–Kronrod quadrature, relative 1e-11 plus its error estimate', ([p, q, l]) => {
    const exact = gaussianKernelCross(p, q, l);
    const quad = crossByQuadrature(p, q, l);
    expect(Math.abs(exact - quad.value)).toBeLessThanOrEqual(1e-11 * exact + quad.error);
  });

  test('negative control: dropping the |I + S/ℓ²|^{−½} factor misses the quadrature', () => {
    const p = new Gaussian([0.3], identity(1)), q = new Gaussian([-0.2], scale(identity(1), 0.5));
    const l = 1;
    // exp(−½ δᵀ(ℓ²I + S)⁻¹δ) alone, S = 1.5, δ = 0.5
    const withoutDet = Math.exp(-0.5 * (0.25 / (1 + 1.5)));
    const quad = crossByQuadrature(p, q, l).value;
    expect(Math.abs(withoutDet - quad) / quad).toBeGreaterThan(1e-3);
    expect(Math.abs(gaussianKernelCross(p, q, l) - quad) / quad).toBeLessThanOrEqual(1e-9);
  });

  test.prop([lawPair])('MMD² is symmetric, ≥ 0, and 0 for P = Q (to the terms’ rounding, 1e-12)', ([p, q, l]) => {
    const pq = mmdSquared(p, q, l);
    expect(Math.abs(pq - mmdSquared(q, p, l))).toBeLessThanOrEqual(1e-12);
    expect(pq).toBeGreaterThanOrEqual(-1e-12);
    expect(Math.abs(mmdSquared(p, p, l))).toBeLessThanOrEqual(1e-12);
  });

  test.prop([fc.integer({ min: 1, max: 3 }).chain((d) => fc.tuple(gaussianOfDim(d, spd), gaussianOfDim(d, spd))), bandwidth])(
    'MMD² ≤ 2·KL for Gaussians (k ≤ 1 ⇒ MMD ≤ 2·TV, and Pinsker TV ≤ √(KL/2))',
    ([p, q], l) => {
      expect(mmdSquared(p, q, l)).toBeLessThanOrEqual(2 * gaussianKL(p, q) * (1 + 1e-9) + 1e-12);
    },
  );

  test('embedding: E_Q k(x, Y) at a point equals the cross term against N(x, 0); bad input names the field', () => {
    const q = new GaussianMixture([0.3, 0.7], [new Gaussian([1, 0], identity(2)), new Gaussian([-1, 0.5], scale(identity(2), 0.4))]);
    const emb = new KernelMeanEmbedding(q, 0.8);
    const x = Float64Array.of(0.2, -0.3);
    expect(Math.abs(emb.at(x) - gaussianKernelCross({ mean: x, cov: scale(identity(2), 0) }, q, 0.8))).toBeLessThanOrEqual(1e-15);
    expect(Math.abs(emb.selfTerm - gaussianKernelCross(q, q, 0.8))).toBeLessThanOrEqual(1e-15);
    expect(() => new KernelMeanEmbedding(q, 0)).toThrow(InvalidArgumentError);
    expect(() => new KernelMeanEmbedding(q, 0)).toThrow(/kernelMeanEmbedding.bandwidth/);
    expect(() => referenceBandwidth({ mean: [0], cov: scale(identity(1), 0) })).toThrow(/referenceBandwidth/);
    expect(() => estimateMmdSquared(new Float64Array(6), 3, emb)).toThrow(/estimateMmdSquared.dim/);
    expect(() => estimateMmdSquared(new Float64Array(40), 2, emb, 32)).toThrow(/blocks/);
  });
});

// ── The block-U-statistic estimator, against exact references ─────────────────────────────────
type SamplerCase = AffineSamplerCase;

/**
 * Assumption: the sampler's law and the target overlap at the kernel's scale — the law's average
 * variance within [1/30, 30]× the target's. Outside it (a mismatch that blows the covariance
 * up to 1e9, say) every block is ≈ E_Q k(Y, Y′) but for rare draws near the target, and the
 * normal approximation behind the tolerance no longer holds.
 */
const samplerCase = affineSamplerCase(spd).filter((c) => {
  const law = propagateAffineSampler(scaledLinearSchedule(c.T), guidanceOf(c), c.variance, c.target.dim)[0];
  const ratio = trace(law.cov) / trace(c.target.cov);
  return ratio >= 1 / 30 && ratio <= 30;
});

const guidanceOf = (c: SamplerCase): AffineGuidance => perturbedMatchedGuidance(c.target, scaledLinearSchedule(c.T), c.dA);

/** (estimate − exact)/stderr and the critical value: sampled with `sampleVariance`, exact law propagated with `exactVariance`. */
function samplerZ(c: SamplerCase, sampleVariance: ReverseVarianceKind, exactVariance: ReverseVarianceKind): { z: number; critical: number } {
  const s = scaledLinearSchedule(c.T);
  const d = c.target.dim;
  const g = guidanceOf(c);
  const law = propagateAffineSampler(s, g, exactVariance, d)[0];
  const l = referenceBandwidth(c.target);
  const xs = sampleReverse(s, affineGuidanceFn(g), { variance: sampleVariance, dim: d, samples: SAMPLES, rng: createRng(c.seed) });
  const est = estimateMmdSquared(xs, d, new KernelMeanEmbedding(c.target, l), BLOCK);
  return { z: (est.mean - mmdSquared(law, c.target, l)) / est.stderr, critical: criticalT(ALPHA, est.n - 1) };
}

describe('MMD² estimator (block U-statistic) against exact references', () => {
  test.prop([samplerCase], { numRuns: RUNS })(
    'DDPM sampler, affine guidance: estimated MMD²(P̂_0, target) agrees with the closed form of the exactly propagated law',
    (c) => {
      const { z, critical } = samplerZ(c, c.variance, c.variance);
      expect(Math.abs(z)).toBeLessThanOrEqual(critical);
    },
  );

  test('negative control: samples drawn with σ_t² = β_t are rejected against the law propagated with (1−α_t)/α_t', () => {
    const c: SamplerCase = { target: new Gaussian([0.5, -0.5], identity(2)), dA: [0, 0, 0, 0], T: 4, variance: 'seed', seed: 11 };
    const { z, critical } = samplerZ(c, 'beta', 'seed');
    expect(Math.abs(z)).toBeGreaterThan(critical);
  });

  const mixturePair = fc.integer({ min: 1, max: 3 }).chain((d) =>
    fc.record({ p: mixtureOfDim(d, { ...spd, maxComponents: 3 }), q: lawOfDim(d), seed: mcSeed() }),
  );

  /** z of the estimate from draws of `drawFrom` against the closed form MMD²(p, q). */
  function mixtureZ(p: GaussianMixture, drawFrom: GaussianMixture, q: Gaussian | GaussianMixture, seed: number): { z: number; critical: number } {
    const l = referenceBandwidth(q);
    const xs = drawFrom.sample(createRng(seed), SAMPLES);
    const est = estimateMmdSquared(xs, p.dim, new KernelMeanEmbedding(q, l), BLOCK);
    return { z: (est.mean - mmdSquared(p, q, l)) / est.stderr, critical: criticalT(ALPHA, est.n - 1) };
  }

  test.prop([mixturePair], { numRuns: RUNS })('mixture draws: estimated MMD²(P, Q) agrees with the closed form (P, Q Gaussian mixtures)', ({ p, q, seed }) => {
    const { z, critical } = mixtureZ(p, p, q, seed);
    expect(Math.abs(z)).toBeLessThanOrEqual(critical);
  });

  test('negative control: draws from P with its weights swapped (0.15 ↔ 0.85) are rejected', () => {
    const comps = [new Gaussian([-1.5, 0], scale(identity(2), 0.3)), new Gaussian([1.5, 0.5], scale(identity(2), 0.5))];
    const p = new GaussianMixture([0.15, 0.85], comps), swapped = new GaussianMixture([0.85, 0.15], comps);
    const q = new Gaussian([0, 0], identity(2));
    const { z, critical } = mixtureZ(p, swapped, q, 5);
    expect(Math.abs(z)).toBeGreaterThan(critical);
  });
});
