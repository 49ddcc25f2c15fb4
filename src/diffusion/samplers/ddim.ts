import { InvalidArgumentError } from '../../errors.ts';
import type { Vector } from '../../linalg/index.ts';
import { denoise } from './samplerOps.ts';
import { type SamplerContext, type SamplerProgram, type SamplerRequest, requireTable } from './samplerProgram.ts';
import type { SamplerSpec } from './samplerSpec.ts';
import { tableTimesteps, vpDenoiser, vpPathFields } from './tablePath.ts';

type DdimSpec = Extract<SamplerSpec, { family: 'ddim' }>;

/**
 * DDIM (Song et al. 2021, eq. 12/16; diffusers DDIMScheduler with prev from the list, not a fixed
 * stride): levels ᾱ_i = ᾱ[j_i], ᾱ_n = 1 (`final_alpha_cumprod` "one", set_alpha_to_one) or ᾱ[0]
 * ("first"). Step i: x̂₀, ε̂ from the network at τ(j_i) (x̂₀ clipped if declared, ε̂ re-derived from
 * it if `eps_from_clipped`), σ_i = η√((1−ᾱ_{i+1})/(1−ᾱ_i))·√(1 − ᾱ_i/ᾱ_{i+1}),
 * x ← √ᾱ_{i+1} x̂₀ + √(1 − ᾱ_{i+1} − σ_i²) ε̂ + σ_i z_i (z_i used wherever σ_i > 0) (MATH.md §5.4).
 */
export function ddimProgram(spec: DdimSpec, ctx: SamplerContext, req: SamplerRequest): SamplerProgram {
  const table = requireTable(ctx, 'ddim');
  const eta = spec.eta === 'request' ? req.eta : spec.eta;
  if (eta === undefined || !(Number.isFinite(eta) && eta >= 0 && eta <= 1)) throw new InvalidArgumentError('eta', eta, 'must be a number in [0, 1] (declared "request": send it)');
  const js = tableTimesteps(spec.spacing, table, req, 'ddim');
  const n = js.length;
  const ab = [...Array.from(js, (j) => table.alphaBar[j]), spec.finalAlphaCumprod === 'one' ? 1 : table.alphaBar[0]];
  const path = vpPathFields(table, js, ab, ctx);
  const { taus } = path;
  const p = ctx.parameterization;
  const steps = Array.from(js, (j, i) => {
    const a = ab[i], an = ab[i + 1];
    const sigma = eta * Math.sqrt((1 - an) / (1 - a)) * Math.sqrt(Math.max(0, 1 - a / an));
    const dirSq = 1 - an - sigma * sigma;
    if (dirSq < -1e-15) throw new InvalidArgumentError('eta', eta, `gives σ² > 1 − ᾱ_prev at timestep ${j + table.tBase}`);
    return { a, an, sigma, dir: Math.sqrt(Math.max(0, dirSq)), d: vpDenoiser(p, a, spec.sigmaData, 'both', `timestep ${j + table.tBase}`) };
  });
  return {
    family: 'ddim',
    ...path,
    noiseSteps: steps.map((st) => st.sigma > 0),
    eta,
    run(ops, xInit) {
      let x: Vector = xInit;
      steps.forEach((st, i) => {
        let { x0, eps } = denoise(ops, x, taus[i], st.d);
        if (spec.clip) {
          x0 = ops.clip(x0, spec.clip.range);
          if (spec.clip.epsFromClipped) eps = ops.lin([[1 / Math.sqrt(1 - st.a), x], [-Math.sqrt(st.a) / Math.sqrt(1 - st.a), x0]]);
        }
        const terms: [number, Vector][] = [[Math.sqrt(st.an), x0], [st.dir, eps]];
        if (st.sigma > 0) terms.push([st.sigma, ops.noise(i)]);
        x = ops.lin(terms);
      });
      return x;
    },
  };
}
