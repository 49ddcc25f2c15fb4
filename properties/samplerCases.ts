import type { Rng } from '../src/mc/rng.ts';
import {
  type AffineTimeNetwork, type SampleShape, type SamplerProgram, type StructuredLinear,
} from '../src/diffusion/samplers/index.ts';

/**
 * Seeded inputs for the sampler-oracle tests (the engine's arbitraries build the check's cases;
 * these only feed the tests that pin the oracles against independent implementations).
 */
function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.uniform();
}

function linear(shape: SampleShape, rng: Rng, scale: number, withDiag: boolean): StructuredLinear {
  const mix = Float64Array.from({ length: shape.C * shape.C }, () => uniform(rng, -scale, scale) / Math.sqrt(shape.C));
  return { mix, diag: withDiag ? Float64Array.from({ length: shape.size }, () => uniform(rng, -scale, scale)) : null };
}

/**
 * f(x, τ) = (W₀ + g(τ)W₁)x + b₀ + g(τ)b₁ with ω chosen so one grid step of the program's own τ
 * values turns g by about a radian (MATH.md §5.2).
 */
export function randomAffineTimeNetwork(shape: SampleShape, rng: Rng, taus: readonly number[], variance = false): AffineTimeNetwork {
  const gaps = taus.slice(1).map((t, i) => Math.abs(t - taus[i])).filter((g) => g > 0).sort((a, b) => a - b);
  const typical = gaps.length ? gaps[Math.floor(gaps.length / 2)] : 1;
  const net: AffineTimeNetwork = {
    kind: 'affine_time',
    shape,
    g: { omega: uniform(rng, 0.5, 2) / typical, phase: uniform(rng, 0, 2 * Math.PI) },
    W0: linear(shape, rng, 0.6, rng.uniform() < 0.7),
    W1: linear(shape, rng, 0.4, rng.uniform() < 0.7),
    b0: Float64Array.from({ length: shape.size }, () => uniform(rng, -1, 1)),
    b1: Float64Array.from({ length: shape.size }, () => uniform(rng, -1, 1)),
  };
  if (!variance) return net;
  const v0 = Float64Array.from({ length: shape.size }, () => uniform(rng, -0.5, 0.5));
  const v1 = Float64Array.from({ length: shape.size }, () => uniform(rng, -0.4, 0.4));
  return { ...net, variance: { v0, v1 } };
}

/** x_init (B samples) and the noises the program draws (n × B; undefined on steps without noise). */
export function randomInputs(program: SamplerProgram, shape: SampleShape, rng: Rng, B: number): { xInit: Float64Array[]; noises: (Float64Array[] | undefined)[] } {
  const normal = () => rng.fillNormal(new Float64Array(shape.size));
  const xInit = Array.from({ length: B }, normal);
  const anyNoise = program.noiseSteps.some((u) => u);
  const noises = program.noiseSteps.map(() => (anyNoise ? Array.from({ length: B }, normal) : undefined));
  return { xInit, noises };
}
