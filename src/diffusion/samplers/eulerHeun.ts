import type { Vector } from '../../linalg/index.ts';
import { type Denoiser, type StateLevel, denoiserAt, requireDenoiser } from './denoiser.ts';
import { type SamplerOps, denoiseX0 } from './samplerOps.ts';
import { type SamplerContext, type SamplerProgram, type SamplerRequest, tausAt } from './samplerProgram.ts';
import type { SamplerSpec } from './samplerSpec.ts';
import { sigmaPath } from './sigmaPath.ts';

type EulerHeunSpec = Extract<SamplerSpec, { family: 'euler' | 'heun' }>;

/**
 * Euler and Heun on the probability-flow ODE in σ (Karras et al. 2022 Alg. 1 without churn;
 * k-diffusion `sample_euler`/`sample_heun`; diffusers Euler/HeunDiscreteScheduler). State x = x₀ + σε,
 * x ← initScale·x_init with initScale = σ_0 (`init_noise` "sigma_max") or √(σ_0² + 1).
 * D_i = x̂₀ at (x, σ_i), d_i = (x − D_i)/σ_i, Δ = σ_{i+1} − σ_i.
 * Euler: x ← x + Δ d_i. Heun: x′ = x + Δ d_i; if σ_{i+1} > 0, d′ = (x′ − D(x′, σ_{i+1}))/σ_{i+1} and
 * x ← x + Δ(d_i + d′)/2, else x ← x′ (the last step is an Euler step) (MATH.md §5.4).
 */
export function eulerHeunProgram(spec: EulerHeunSpec, ctx: SamplerContext, req: SamplerRequest): SamplerProgram {
  const path = sigmaPath(spec.sigmas, ctx, req, 'sigma', 'zero', spec.tauRounding);
  const sig = path.sigmas;
  const n = req.numInferenceSteps;
  const { taus: stepTaus } = tausAt(ctx, path.points, ctx.table?.T ?? 1);
  const p = ctx.parameterization;
  const den: Denoiser[] = Array.from(sig.subarray(0, n), (s, i) => requireDenoiser(denoiserAt(p, { a: 1, s }, spec.sigmaData), 'x0', p, `σ_${i} = ${s}`));
  const heun = spec.family === 'heun';
  const taus: number[] = [];
  const callLevels: StateLevel[] = [];
  for (let i = 0; i < n; i++) {
    taus.push(stepTaus[i]);
    callLevels.push({ a: 1, s: path.networkSigmas[i] });
    if (heun && sig[i + 1] > 0) {
      taus.push(stepTaus[i + 1]);
      callLevels.push({ a: 1, s: path.networkSigmas[i + 1] });
    }
  }
  const derivative = (ops: SamplerOps, x: Vector, i: number, tau: number): Vector => {
    const D = denoiseX0(ops, x, tau, den[i]);
    return ops.lin([[1 / sig[i], x], [-1 / sig[i], D]]);
  };
  const initScale = spec.initNoise === 'sigma_max' ? sig[0] : Math.sqrt(sig[0] * sig[0] + 1);
  return {
    family: spec.family,
    steps: n,
    timesteps: path.timesteps,
    levels: Array.from(sig, (s) => ({ a: 1, s })),
    taus,
    callLevels,
    noiseSteps: new Array<boolean>(n).fill(false),
    order: heun ? 2 : 1,
    initScale,
    eta: 0,
    run(ops, xInit) {
      let x: Vector = ops.lin([[initScale, xInit]]);
      for (let i = 0; i < n; i++) {
        const dt = sig[i + 1] - sig[i];
        const d = derivative(ops, x, i, stepTaus[i]);
        const xe = ops.lin([[1, x], [dt, d]]);
        if (!heun || sig[i + 1] === 0) {
          x = xe;
          continue;
        }
        const d2 = derivative(ops, xe, i + 1, stepTaus[i + 1]);
        x = ops.lin([[1, x], [dt / 2, d], [dt / 2, d2]]);
      }
      return x;
    },
  };
}
