import type { Vector } from '../../linalg/index.ts';
import { type Denoiser, denoiserAt, requireDenoiser } from './denoiser.ts';
import { denoiseX0 } from './samplerOps.ts';
import { type SamplerContext, type SamplerProgram, type SamplerRequest, tausAt } from './samplerProgram.ts';
import type { SamplerSpec } from './samplerSpec.ts';
import { sigmaPath } from './sigmaPath.ts';

type DpmSpec = Extract<SamplerSpec, { family: 'dpmpp_2m' }>;

/**
 * DPM-Solver++(2M) (Lu et al. 2022, multistep, midpoint form; k-diffusion `sample_dpmpp_2m`;
 * diffusers DPMSolverMultistepScheduler, algorithm_type "dpmsolver++", solver_order 2). Written in
 * the σ-space state x_σ = x₀ + σε with λ = −ln σ, h_i = λ_{i+1} − λ_i, D_i = x̂₀ at (x, σ_i):
 * first order (i = 0, σ_{i+1} = 0, or the last step when lower_order_final and n < 15):
 *   x ← (σ_{i+1}/σ_i) x − expm1(−h_i) D_i;
 * else r = h_{i−1}/h_i, D′ = (1 + 1/(2r)) D_i − (1/(2r)) D_{i−1}, x ← (σ_{i+1}/σ_i) x − expm1(−h_i) D′.
 * `state` "vp" (diffusers): the loop's state is x_σ/√(σ²+1), started at x_init; "ve" (k-diffusion):
 * x_σ itself, started at σ_0·x_init (MATH.md §5.4).
 */
export function dpmSolver2MProgram(spec: DpmSpec, ctx: SamplerContext, req: SamplerRequest): SamplerProgram {
  const path = sigmaPath(spec.sigmas, ctx, req, 'multistep', spec.finalSigma, spec.tauRounding);
  const sig = path.sigmas;
  const n = req.numInferenceSteps;
  const { taus } = tausAt(ctx, path.points, ctx.table?.T ?? 1);
  const p = ctx.parameterization;
  const den: Denoiser[] = Array.from(sig.subarray(0, n), (s, i) => requireDenoiser(denoiserAt(p, { a: 1, s }, spec.sigmaData), 'x0', p, `σ_${i} = ${s}`));
  const lambda = Array.from(sig, (s) => -Math.log(s));
  const vpScale = (s: number) => 1 / Math.sqrt(s * s + 1);
  const vp = spec.state === 'vp';
  const firstOrder = (i: number) => i === 0 || sig[i + 1] === 0 || (i === n - 1 && spec.lowerOrderFinal && n < 15);
  return {
    family: 'dpmpp_2m',
    steps: n,
    timesteps: path.timesteps,
    levels: Array.from(sig, (s) => (vp ? { a: vpScale(s), s: s * vpScale(s) } : { a: 1, s })),
    taus,
    callLevels: Array.from(path.networkSigmas, (s) => ({ a: 1, s })),
    noiseSteps: new Array<boolean>(n).fill(false),
    order: 2,
    initScale: vp ? 1 : sig[0],
    eta: 0,
    run(ops, xInit) {
      let x: Vector = ops.lin([[vp ? 1 / vpScale(sig[0]) : sig[0], xInit]]);
      let prev: Vector | null = null;
      for (let i = 0; i < n; i++) {
        const D = denoiseX0(ops, x, taus[i], den[i]);
        const h = lambda[i + 1] - lambda[i];
        const ratio = sig[i + 1] / sig[i], k = -Math.expm1(-h);
        if (firstOrder(i) || !prev) x = ops.lin([[ratio, x], [k, D]]);
        else {
          const r = (lambda[i] - lambda[i - 1]) / h;
          x = ops.lin([[ratio, x], [k * (1 + 1 / (2 * r)), D], [-k / (2 * r), prev]]);
        }
        prev = D;
      }
      return vp ? ops.lin([[vpScale(sig[n]), x]]) : x;
    },
  };
}
