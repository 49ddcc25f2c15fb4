import { InvalidArgumentError } from '../../errors.ts';
import type { Vector } from '../../linalg/index.ts';
import type { StateLevel } from './denoiser.ts';
import { type SamplerContext, type SamplerProgram, type SamplerRequest, tausAt } from './samplerProgram.ts';
import type { SamplerSpec } from './samplerSpec.ts';
import { flowTimes } from './sigmaGrid.ts';

type FlowSpec = Extract<SamplerSpec, { family: 'flow_euler' | 'flow_heun' }>;

/**
 * Flow-matching samplers (rectified flow; diffusers FlowMatchEuler/HeunDiscreteScheduler): state
 * x_t = (1 − t)x₀ + tε, network v̂(x, τ(t)) ≈ ε − x₀, times t_0 > … > t_{n−1} > t_n = 0 (sigmaGrid
 * flowTimes), x ← x_init. Euler: x ← x + (t_{i+1} − t_i) v̂(x, t_i). Heun: x′ = x + Δ v̂; if
 * t_{i+1} > 0, x ← x + Δ(v̂(x, t_i) + v̂(x′, t_{i+1}))/2, else x ← x′ (MATH.md §5.4).
 */
export function flowProgram(spec: FlowSpec, ctx: SamplerContext, req: SamplerRequest): SamplerProgram {
  if (ctx.parameterization !== 'flow_velocity') {
    throw new InvalidArgumentError('parameterization', ctx.parameterization, 'flow-matching samplers take a velocity network (parameterization "flow_velocity")');
  }
  const n = req.numInferenceSteps;
  const t = [...flowTimes(spec.grid, n, spec.numTrainTimesteps, spec.shift), 0];
  const { taus: stepTaus } = tausAt(ctx, t.slice(0, n).map((flowT) => ({ flowT })), spec.numTrainTimesteps);
  const heun = spec.family === 'flow_heun';
  const taus: number[] = [];
  const callLevels: StateLevel[] = [];
  for (let i = 0; i < n; i++) {
    taus.push(stepTaus[i]);
    callLevels.push({ a: 1 - t[i], s: t[i] });
    if (heun && t[i + 1] > 0) {
      taus.push(stepTaus[i + 1]);
      callLevels.push({ a: 1 - t[i + 1], s: t[i + 1] });
    }
  }
  return {
    family: spec.family,
    steps: n,
    timesteps: t.slice(0, n),
    levels: t.map((ti) => ({ a: 1 - ti, s: ti })),
    taus,
    callLevels,
    noiseSteps: new Array<boolean>(n).fill(false),
    order: heun ? 2 : 1,
    initScale: 1,
    eta: 0,
    run(ops, xInit) {
      let x: Vector = xInit;
      for (let i = 0; i < n; i++) {
        const dt = t[i + 1] - t[i];
        const v = ops.net(x, stepTaus[i]).out;
        const xe = ops.lin([[1, x], [dt, v]]);
        if (!heun || t[i + 1] === 0) {
          x = xe;
          continue;
        }
        const v2 = ops.net(xe, stepTaus[i + 1]).out;
        x = ops.lin([[1, x], [dt / 2, v], [dt / 2, v2]]);
      }
      return x;
    },
  };
}
