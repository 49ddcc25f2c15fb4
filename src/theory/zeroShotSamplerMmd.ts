import { type Guidance, sampleReverse } from '../diffusion/reverseSampler.ts';
import type { ReverseVarianceKind } from '../diffusion/reverseVariance.ts';
import type { VPSchedule } from '../diffusion/schedule.ts';
import { marginal } from '../diffusion/forward.ts';
import { vpLevel } from '../diffusion/noiseLevel.ts';
import { KernelMeanEmbedding, type KernelAtom, referenceBandwidth } from '../gaussian/gaussianKernel.ts';
import type { DataDistribution } from '../gaussian/mixture.ts';
import type { Estimate } from '../mc/estimate.ts';
import { estimateMmdSquared, estimateMmdSquaredDifference } from '../mc/mmdEstimate.ts';
import { createRng } from '../mc/rng.ts';
import type { LinearInverseProblem } from '../models/linearInverseProblem.ts';
import { type Posterior, inverseProblemGeometry, isMixturePosterior, posteriorMarginalAt } from './inverseProblem.ts';
import { matchedScoreGuidance } from './mismatch.ts';
import { type ZeroShotKind, correctionFn, zeroShotGuidance } from './zeroShot.ts';

/**
 * Final-law divergence of zero-shot samplers on any prior (MATH.md §4, mixture targets): seeded
 * DDPM sampling, then the unbiased MMD² estimate against the posterior x_0 | y, whose kernel mean
 * embedding is closed form (a mixture of possibly degenerate Gaussians). 'matched' drives the
 * sampler with the exact posterior score ∇log q̃_t (Δ_t ≡ 0): the zero-bias reference;
 * 'unconditional' with the prior's score (y ignored).
 */
export type PosteriorSamplerKind = ZeroShotKind | 'matched' | 'unconditional';
/** The samplers compared in reports; 'unconditional' (the prior's score, y ignored) is a baseline and a negative control. */
export const POSTERIOR_SAMPLER_KINDS: readonly PosteriorSamplerKind[] = ['matched', 'optimal', 'bo-ddnm', 'ddnm'];

export interface SamplerMmdSettings {
  readonly samples: number;
  readonly blockSize: number;
  readonly variance: ReverseVarianceKind;
  /** Every sampler draws from this seed: common random numbers, so block differences pair up. */
  readonly seed: number;
}

export const DEFAULT_SAMPLER_MMD: Omit<SamplerMmdSettings, 'seed'> = { samples: 4096, blockSize: 32, variance: 'seed' };

export function posteriorAtoms(post: Posterior): KernelAtom[] {
  if (!isMixturePosterior(post)) return [{ weight: 1, mean: post.mean, cov: post.cov }];
  return post.components.map((c, k) => ({ weight: post.weights[k], mean: c.mean, cov: c.cov })).filter((a) => a.weight > 0);
}

/** The guidance of one sampler kind for the inverse problem. */
export function posteriorSamplerGuidance(
  kind: PosteriorSamplerKind, prior: DataDistribution, problem: LinearInverseProblem, post: Posterior, schedule: VPSchedule,
): Guidance {
  if (kind === 'matched') return matchedScoreGuidance((t) => posteriorMarginalAt(post, schedule, t), prior.dim);
  if (kind === 'unconditional') return matchedScoreGuidance((t) => marginal(prior, vpLevel(schedule.alphaBar(t), `alphaBar(t=${t})`)), prior.dim);
  const geom = inverseProblemGeometry(problem);
  return zeroShotGuidance(geom, prior, schedule, correctionFn(geom, post, schedule, kind));
}

/**
 * The reference embedding of the posterior. Bandwidth: ℓ² = tr Cov(prior)/d, set by the prior
 * (the posterior may be a point mass at σ_y = 0, with zero spread).
 */
export function posteriorEmbedding(prior: DataDistribution, post: Posterior): KernelMeanEmbedding {
  return new KernelMeanEmbedding(posteriorAtoms(post), referenceBandwidth(prior));
}

/** Row-major draws of one sampler's P̂_0. */
export function samplePosteriorSampler(
  kind: PosteriorSamplerKind, prior: DataDistribution, problem: LinearInverseProblem, post: Posterior, schedule: VPSchedule, s: SamplerMmdSettings,
): Float64Array {
  const g = posteriorSamplerGuidance(kind, prior, problem, post, schedule);
  return sampleReverse(schedule, g, { variance: s.variance, dim: prior.dim, samples: s.samples, rng: createRng(s.seed) });
}

/** MMD²(P̂_0^{kind}, posterior), estimated. */
export function samplerMmd(
  kind: PosteriorSamplerKind, prior: DataDistribution, problem: LinearInverseProblem, post: Posterior, schedule: VPSchedule, s: SamplerMmdSettings,
): Estimate {
  const xs = samplePosteriorSampler(kind, prior, problem, post, schedule, s);
  return estimateMmdSquared(xs, prior.dim, posteriorEmbedding(prior, post), s.blockSize);
}

/** MMD²(P̂_0^{a}, posterior) − MMD²(P̂_0^{b}, posterior) with common random numbers. */
export function samplerMmdDifference(
  a: PosteriorSamplerKind, b: PosteriorSamplerKind, prior: DataDistribution, problem: LinearInverseProblem, post: Posterior, schedule: VPSchedule, s: SamplerMmdSettings,
): Estimate {
  return samplerMmdDifferences(a, [b], prior, problem, post, schedule, s)[0];
}

/** The same against several samplers b, drawing sampler a once. */
export function samplerMmdDifferences(
  a: PosteriorSamplerKind, bs: readonly PosteriorSamplerKind[], prior: DataDistribution, problem: LinearInverseProblem, post: Posterior, schedule: VPSchedule, s: SamplerMmdSettings,
): Estimate[] {
  const xa = samplePosteriorSampler(a, prior, problem, post, schedule, s);
  const embedding = posteriorEmbedding(prior, post);
  return bs.map((b) => estimateMmdSquaredDifference(xa, samplePosteriorSampler(b, prior, problem, post, schedule, s), prior.dim, embedding, s.blockSize));
}
