import { InvalidArgumentError } from '../../errors.ts';
import type { Vector } from '../../linalg/index.ts';
import { denoise } from './samplerOps.ts';
import { type SamplerContext, type SamplerProgram, type SamplerRequest, requireTable } from './samplerProgram.ts';
import type { SamplerSpec } from './samplerSpec.ts';
import { tableTimesteps, vpDenoiser, vpPathFields } from './tablePath.ts';

type DdpmSpec = Extract<SamplerSpec, { family: 'ddpm' }>;

/**
 * DDPM ancestral sampling on a (respaced) timestep list j_0 > … > j_{n−1} (MATH.md §5.4; Ho et al.
 * 2020 Alg. 2; improved-diffusion SpacedDiffusion; diffusers DDPMScheduler with prev_t from the list).
 * Step i goes from ᾱ = ᾱ[j_i] to ᾱ′ = ᾱ[j_{i+1}] (1 after the last): α = ᾱ/ᾱ′, β = 1 − α,
 * β̃ = (1 − ᾱ′)β/(1 − ᾱ), x̂₀ from the network at τ(j_i) (clipped if declared),
 * x ← √ᾱ′β/(1−ᾱ)·x̂₀ + √α(1−ᾱ′)/(1−ᾱ)·x + σ_i z_i, σ_i² = β, β̃, or learned range
 * exp(f log β + (1−f) log β̃), f = (v + 1)/2; no noise on the last step (z_{n−1} unused).
 */
export function ddpmProgram(spec: DdpmSpec, ctx: SamplerContext, req: SamplerRequest): SamplerProgram {
  const table = requireTable(ctx, 'ddpm');
  const js = tableTimesteps(spec.spacing, table, req, 'ddim');
  const n = js.length;
  const ab = [...Array.from(js, (j) => table.alphaBar[j]), 1];
  const path = vpPathFields(table, js, ab, ctx);
  const { taus } = path;
  const p = ctx.parameterization;
  const steps = Array.from(js, (j, i) => {
    const a = ab[i], ap = ab[i + 1];
    const alpha = a / ap, beta = 1 - alpha;
    const betaTilde = ((1 - ap) / (1 - a)) * beta;
    return { a, ap, alpha, beta, betaTilde, d: vpDenoiser(p, a, spec.sigmaData, 'x0', `timestep ${j + table.tBase}`) };
  });
  return {
    family: 'ddpm',
    ...path,
    noiseSteps: steps.map((_, i) => i < n - 1),
    eta: 1,
    run(ops, xInit) {
      let x: Vector = xInit;
      steps.forEach((st, i) => {
        const { x0: rawX0, f } = denoise(ops, x, taus[i], st.d);
        const x0 = spec.clip ? ops.clip(rawX0, spec.clip.range) : rawX0;
        const mean = ops.lin([
          [(Math.sqrt(st.ap) * st.beta) / (1 - st.a), x0],
          [(Math.sqrt(st.alpha) * (1 - st.ap)) / (1 - st.a), x],
        ]);
        if (i === n - 1) {
          x = mean;
          return;
        }
        const z = ops.noise(i);
        if (spec.variance === 'learned_range') {
          if (!f.variance) throw new InvalidArgumentError('network.variance', undefined, 'a learned_range sampler needs the network variance head');
          x = ops.lin([[1, mean], [1, ops.learnedRangeNoise(f.variance, Math.log(st.betaTilde), Math.log(st.beta), z)]]);
        } else x = ops.lin([[1, mean], [Math.sqrt(spec.variance === 'beta' ? st.beta : st.betaTilde), z]]);
      });
      return x;
    },
  };
}
