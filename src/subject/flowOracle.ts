/**
 * What a correct subject must answer to the flow-matching ops (docs/protocol.md §9), with the
 * tolerance of each number from the rounding model of its declared precision (MATH.md §19.5, §7.1):
 *   tolerance = spread_t + depth(d)·u_eff·scale,
 * spread_t = max over t·(1 ± 4u) of |y(t′) − y(t)| (the time the subject holds is t rounded to its
 * precision, and up to three more roundings on the way to a path coefficient; re-evaluated, so the
 * cancellation in 1 − t near t = 1 and the weight's 1/σ² are covered),
 * scale = the sum of the absolute values of the terms y is built from. Pure functions, no I/O.
 */
import { unitRoundoff } from '../numerics/roundingArithmetic.ts';
import { type FlowPathSpec, flowCoefficients } from '../theory/flowPath.ts';
import {
  type FlowNetwork, type FlowObjective, type FlowSample, flowBatchLossGradient, flowInterpolate, flowLossWeight, flowSampleLoss, outputConversion,
} from '../theory/flowTrainingLoss.ts';
import type { FlowHello, FlowLossDeclaration } from './flowProtocol.ts';
import { type SubjectPrecision, arithmeticDepth, effectiveUnitRoundoff } from './roundingTolerance.ts';
import type { Expected } from './trainingOracle.ts';

/** The objective a flow_loss / flow_loss_grad declaration describes. */
export function flowObjectiveOf(decl: FlowLossDeclaration, flow: FlowHello): FlowObjective {
  return { path: flow.path, prediction: decl.prediction, target: decl.target, weighting: decl.weighting, reduction: decl.reduction, timeScale: decl.network_time?.scale ?? 1 };
}

/**
 * Roundings on a path coefficient's way from t, each worth a relative u on t: t itself, the path's constant
 * (1 − σ_min as a float32 is 0.999 within u), their product, the difference 1 − (1 − σ_min)t. One u was not
 * enough: a float32 OT path at t = 0.998 (σ_t = 0.003, cancellation ×300) put a correct subject's time-gradient
 * 1.04× outside the tolerance (the long run's suite seed 13).
 */
const TIME_ROUNDINGS = 4;

/** max over t(1 ± TIME_ROUNDINGS·u) of |f(t′) − f(t)|, entry by entry (t′ kept where f is defined). */
function timeSpread(t: number, u: number, f: (t: number) => ArrayLike<number>): Float64Array {
  const y0 = f(t);
  const out = new Float64Array(y0.length);
  const du = TIME_ROUNDINGS * u;
  for (const tt of [t * (1 + du), t * (1 - du)]) {
    if (tt === t) continue;
    let y: ArrayLike<number>;
    try {
      y = f(tt);
    } catch {
      continue;
    }
    for (let i = 0; i < out.length; i++) out[i] = Math.max(out[i], Math.abs(y[i] - y0[i]));
  }
  return out;
}

/** |x_t| coordinate bounds from the absolute values of the terms. */
function xtMagnitude(path: FlowPathSpec, s: FlowSample): Float64Array {
  const co = flowCoefficients(path, s.t);
  return Float64Array.from(s.x0, (x, i) => Math.abs(co.a * x) + Math.abs(co.s * s.noise[i]) + Math.abs(co.r * (s.extraNoise?.[i] ?? 0)));
}

/** flow_interpolate: x_t per sample. */
export function expectedFlowInterpolation(path: FlowPathSpec, samples: readonly FlowSample[], precision: SubjectPrecision): Expected[] {
  const u = unitRoundoff(precision.tensors), ku = arithmeticDepth(1) * effectiveUnitRoundoff(precision);
  return samples.map((s) => {
    const value = flowInterpolate(path, s);
    const spread = timeSpread(s.t, u, (t) => flowInterpolate(path, { ...s, t }));
    const mag = xtMagnitude(path, s);
    return { value, tolerance: Float64Array.from(value, (_, i) => spread[i] + ku * mag[i]) };
  });
}

/** Per-sample bound on |F_i| and on the residual's terms (for the arithmetic part of the tolerance). */
function residualMagnitude(obj: FlowObjective, net: FlowNetwork, s: FlowSample): { res: Float64Array; xt: Float64Array; w: number; kappa: number; tau: number } {
  const co = flowCoefficients(obj.path, s.t);
  const xt = xtMagnitude(obj.path, s);
  const tau = obj.timeScale * s.t;
  const { kappa, rho } = outputConversion(obj.prediction, obj.target, co);
  const w = flowLossWeight(obj.weighting, co.s) / (obj.reduction === 'mean' ? s.x0.length : 1);
  const d = s.x0.length;
  const res = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let f = Math.abs(net.b[i]) + (net.b_time ? Math.abs(tau * net.b_time[i]) : 0);
    for (let j = 0; j < d; j++) f += (Math.abs(net.W[i][j]) + (net.W_time ? Math.abs(tau * net.W_time[i][j]) : 0)) * xt[j];
    const q = obj.target === 'x0' ? Math.abs(s.x0[i]) : obj.target === 'eps' ? Math.abs(s.noise[i]) : Math.abs(co.da * s.x0[i]) + Math.abs(co.ds * s.noise[i]) + Math.abs(co.dr * (s.extraNoise?.[i] ?? 0));
    res[i] = Math.abs(kappa) * f + Math.abs(rho) * xt[i] + q;
  }
  return { res, xt, w, kappa, tau };
}

/** flow_loss: the per-sample losses. */
export function expectedFlowLosses(obj: FlowObjective, net: FlowNetwork, samples: readonly FlowSample[], precision: SubjectPrecision): Expected {
  const u = unitRoundoff(precision.tensors);
  const d = samples[0].x0.length;
  const ku = arithmeticDepth(d) * effectiveUnitRoundoff(precision);
  const value = Float64Array.from(samples, (s) => flowSampleLoss(obj, net, s).loss);
  const tolerance = Float64Array.from(samples, (s) => {
    const spread = timeSpread(s.t, u, (t) => [flowSampleLoss(obj, net, { ...s, t }).loss])[0];
    const m = residualMagnitude(obj, net, s);
    return spread + ku * m.w * m.res.reduce((acc, r) => acc + r * r, 0);
  });
  return { value, tolerance };
}

/** flow_loss_grad: the per-sample losses and the batch gradient, flattened [W, b, W_time, b_time]. */
export function expectedFlowLossGradient(
  obj: FlowObjective, net: FlowNetwork, samples: readonly FlowSample[], batchReduction: 'mean' | 'sum', precision: SubjectPrecision,
): { losses: Expected; gradient: Expected } {
  const u = unitRoundoff(precision.tensors);
  const d = samples[0].x0.length;
  const ku = arithmeticDepth(d) * effectiveUnitRoundoff(precision);
  const { gradient } = flowBatchLossGradient(obj, net, samples, batchReduction);
  const k = batchReduction === 'mean' ? 1 / samples.length : 1;
  const tol = new Float64Array(gradient.length);
  const timed = net.W_time !== undefined;
  samples.forEach((s, n) => {
    const spread = timeSpread(s.t, u, (t) => {
      const others = samples.map((o, m) => (m === n ? { ...o, t } : o));
      return flowBatchLossGradient(obj, net, others, batchReduction).gradient;
    });
    const m = residualMagnitude(obj, net, s);
    for (let i = 0; i < d; i++) {
      const g = 2 * m.w * Math.abs(m.kappa) * m.res[i] * k;
      for (let j = 0; j < d; j++) tol[i * d + j] += spread[i * d + j] + ku * g * m.xt[j];
      tol[d * d + i] += spread[d * d + i] + ku * g;
      if (timed) {
        const o = d * d + d;
        for (let j = 0; j < d; j++) tol[o + i * d + j] += spread[o + i * d + j] + ku * g * m.xt[j] * Math.abs(m.tau);
        tol[o + d * d + i] += spread[o + d * d + i] + ku * g * Math.abs(m.tau);
      }
    }
  });
  return { losses: expectedFlowLosses(obj, net, samples, precision), gradient: { value: gradient, tolerance: tol } };
}
