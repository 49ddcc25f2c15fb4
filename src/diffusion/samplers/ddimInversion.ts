import type { Vector } from '../../linalg/index.ts';
import { denoise } from './samplerOps.ts';
import { type SamplerContext, type SamplerProgram, type SamplerRequest, requireTable } from './samplerProgram.ts';
import type { SamplerSpec } from './samplerSpec.ts';
import { tableTimesteps, vpDenoiser, vpPathFields } from './tablePath.ts';

type InversionSpec = Extract<SamplerSpec, { family: 'ddim_inversion' }>;

/**
 * DDIM inversion (diffusers DDIMInverseScheduler, null-text inversion): the spacing list ascending,
 * u_0 < … < u_{n−1}, from the data level ᾱ_{−1} = 1 (`initial_alpha_cumprod` "one") or ᾱ[0]
 * ("first"). Step i: the network at the *target* time τ(u_i) on x at level ᾱ_{i−1}; x̂₀, ε̂ are read
 * at that source level; x ← √ᾱ[u_i] x̂₀ + √(1 − ᾱ[u_i]) ε̂ (MATH.md §5.4). Deterministic.
 */
export function ddimInversionProgram(spec: InversionSpec, ctx: SamplerContext, req: SamplerRequest): SamplerProgram {
  const table = requireTable(ctx, 'ddim_inversion');
  const js = tableTimesteps(spec.spacing, table, req, 'ddim').reverse();
  const n = js.length;
  const ab = [spec.initialAlphaCumprod === 'one' ? 1 : table.alphaBar[0], ...Array.from(js, (j) => table.alphaBar[j])];
  const path = vpPathFields(table, js, ab, ctx);
  const { taus } = path;
  const p = ctx.parameterization;
  const steps = Array.from(js, (j, i) => ({ an: ab[i + 1], d: vpDenoiser(p, ab[i], spec.sigmaData, 'both', `the level before timestep ${j + table.tBase}`) }));
  return {
    family: 'ddim_inversion',
    ...path,
    noiseSteps: steps.map(() => false),
    eta: 0,
    run(ops, xInit) {
      let x: Vector = xInit;
      steps.forEach((st, i) => {
        const { x0, eps } = denoise(ops, x, taus[i], st.d);
        x = ops.lin([[Math.sqrt(st.an), x0], [Math.sqrt(1 - st.an), eps]]);
      });
      return x;
    },
  };
}
