import type { Vector } from '../../linalg/index.ts';
import { denoiserAt, requireDenoiser } from './denoiser.ts';
import { denoise } from './samplerOps.ts';
import { type SamplerContext, type SamplerProgram, type SamplerRequest, requireTable, tausAt, vpState } from './samplerProgram.ts';
import type { SamplerSpec } from './samplerSpec.ts';
import { tableTimesteps } from './tablePath.ts';

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
  const { taus } = tausAt(ctx, Array.from(js, (j) => ({ index: j, sigma: table.sigma[j] })), table.T);
  const p = ctx.parameterization;
  const steps = Array.from(js, (j, i) => ({
    an: ab[i + 1],
    d: requireDenoiser(denoiserAt(p, vpState(ab[i]), spec.sigmaData), 'both', p, `the level before timestep ${j + table.tBase} (ᾱ = ${ab[i]})`),
  }));
  return {
    family: 'ddim_inversion',
    steps: n,
    timesteps: Array.from(js, (j) => j + table.tBase),
    levels: ab.map(vpState),
    taus,
    callLevels: ab.slice(1).map(vpState),
    noiseSteps: steps.map(() => false),
    order: 1,
    initScale: 1,
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
