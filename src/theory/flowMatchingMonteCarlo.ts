import type { Gaussian } from '../gaussian/gaussian.ts';
import type { GaussianMixture } from '../gaussian/mixture.ts';
import { type Estimate, RunningEstimate } from '../mc/estimate.ts';
import type { Rng } from '../mc/rng.ts';
import type { ScoreModel } from '../models/scoreModel.ts';
import { requireIntegerInRange } from '../validate.ts';
import type { FlowCoefficients } from './flowPath.ts';
import type { FlowMarginalField } from './flowMatchingMixture.ts';

/*
 * CFM − FM by Monte Carlo for any velocity model and any data with a sampler (MATH.md §19.3).
 * Per draw (x₀ ~ data, ε, ξ ~ N(0, I), x_t = a x₀ + s ε + r ξ, u = ȧ x₀ + ṡ ε + ṙ ξ):
 *   D = ‖v(x_t) − u‖² − ‖v(x_t) − v*(x_t)‖²        (E D = CFM − FM)
 *     = ‖u − v*‖² + 2(v − v*)·(v* − u),             (E of the cross term = 0 for every v)
 *   R = tr Cov(u | x_t)                             (E R = C_t; a Rao–Blackwellized draw of it)
 * so Lipman et al.'s Theorem 2 (CFM − FM = C_t, whatever v) says E[D − R] = 0: a paired mean test
 * whose variance is Var(‖u − v*‖² − R) + Var(cross term), both conditionally centred given x_t.
 * The marginal field is computed independently of the draws (flowMatchingMixture.ts).
 * Any model f: ℝ^d → ℝ^d with `evaluate` is a velocity model (the ScoreModel interface).
 */
export interface FlowDifferenceEstimates {
  /** D = ‖v − u‖² − ‖v − v*‖². */
  readonly difference: Estimate;
  /** R = tr Cov(u | x_t). */
  readonly conditionalTrace: Estimate;
  /** D − R (mean 0 under Theorem 2). */
  readonly paired: Estimate;
  /** The largest |D| and |R| seen (for the rounding allowance of the mean test). */
  readonly magnitude: number;
}

export function cfmMinusFmMonteCarlo(
  model: ScoreModel, data: Gaussian | GaussianMixture, field: FlowMarginalField, co: FlowCoefficients, rng: Rng, n: number,
): FlowDifferenceEstimates {
  requireIntegerInRange('n', n, 2, 1e9);
  const d = data.dim;
  const x0 = new Float64Array(d), eps = new Float64Array(d), xi = new Float64Array(d), scratch = new Float64Array(d);
  const xt = new Float64Array(d), u = new Float64Array(d), v = new Float64Array(d), vs = new Float64Array(d);
  const D = new RunningEstimate(), R = new RunningEstimate(), P = new RunningEstimate();
  let magnitude = 0;
  for (let k = 0; k < n; k++) {
    data.sampleInto(rng, x0, scratch);
    rng.fillNormal(eps);
    if (co.r !== 0 || co.dr !== 0) rng.fillNormal(xi);
    for (let i = 0; i < d; i++) {
      xt[i] = co.a * x0[i] + co.s * eps[i] + co.r * xi[i];
      u[i] = co.da * x0[i] + co.ds * eps[i] + co.dr * xi[i];
    }
    model.evaluate(xt, v);
    field.evaluate(xt, vs);
    let q1 = 0, q2 = 0;
    for (let i = 0; i < d; i++) {
      q1 += (v[i] - u[i]) ** 2;
      q2 += (v[i] - vs[i]) ** 2;
    }
    const r = field.conditionalTrace(xt);
    D.push(q1 - q2);
    R.push(r);
    P.push(q1 - q2 - r);
    magnitude = Math.max(magnitude, q1 + q2 + r);
  }
  return { difference: D.result(), conditionalTrace: R.result(), paired: P.result(), magnitude };
}
