import { InvalidArgumentError } from '../errors.ts';

/*
 * A distribution test with a stated power from the Dvoretzky–Kiefer–Wolfowitz–Massart inequality
 * (MATH.md §7.5; TensorFlow Probability's `assert_true_cdf_equal_by_dkwm` and
 * `min_num_samples_for_dkwm_cdf_test`): for n iid draws with CDF F and empirical CDF F_n,
 *   P(sup_x |F_n(x) − F(x)| > ε) ≤ 2 exp(−2nε²)      for every n and every F (discrete ones included).
 * So rejecting when D = sup|F_n − F_declared| > ε_α = √(ln(2/α)/(2n)) has false-alarm probability ≤ α,
 * and if the true CDF is at sup-distance Δ from the declared one, D ≥ Δ − ε_β with probability ≥ 1 − β:
 * the test detects every Δ ≥ ε_α + ε_β with power ≥ 1 − β. No asymptotics.
 */

/** ε with P(sup|F_n − F| > ε) ≤ p for n draws. */
export function dkwRadius(n: number, p: number): number {
  if (!(n >= 1)) throw new InvalidArgumentError('n', n, 'must be ≥ 1');
  if (!(p > 0 && p < 1)) throw new InvalidArgumentError('p', p, 'must lie in (0, 1)');
  return Math.sqrt(Math.log(2 / p) / (2 * n));
}

/** The smallest sup-CDF distance detected with probability ≥ 1 − missRate at false-alarm α. */
export function minDiscrepancyDkw(n: number, falseAlarm: number, missRate = 0.01): number {
  return dkwRadius(n, falseAlarm) + dkwRadius(n, missRate);
}

/** Draws needed to detect a sup-CDF distance `discrepancy` with power 1 − missRate at false-alarm α. */
export function minNumSamplesDkw(discrepancy: number, falseAlarm: number, missRate = 0.01): number {
  if (!(discrepancy > 0 && discrepancy <= 1)) throw new InvalidArgumentError('discrepancy', discrepancy, 'must lie in (0, 1]');
  const r = Math.sqrt(Math.log(2 / falseAlarm) / 2) + Math.sqrt(Math.log(2 / missRate) / 2);
  return Math.ceil((r / discrepancy) ** 2);
}

export interface DkwResult {
  /** sup_x |F_n(x) − F(x)|. */
  readonly distance: number;
  /** Where it is attained (a sample value or atom). */
  readonly at: number;
  readonly critical: number;
  readonly detectable: number;
  readonly rejected: boolean;
  readonly n: number;
}

/**
 * Continuous F: D = max_i max(i/n − F(x_(i)), F(x_(i)) − (i−1)/n) over the sorted draws.
 */
export function dkwTestContinuous(draws: ArrayLike<number>, cdf: (x: number) => number, falseAlarm: number, missRate = 0.01): DkwResult {
  const xs = Float64Array.from(draws).sort();
  const n = xs.length;
  let distance = 0, at = xs[0];
  for (let i = 0; i < n; i++) {
    const F = cdf(xs[i]);
    const d = Math.max((i + 1) / n - F, F - i / n);
    if (d > distance) { distance = d; at = xs[i]; }
  }
  const critical = dkwRadius(n, falseAlarm);
  return { distance, at, critical, detectable: minDiscrepancyDkw(n, falseAlarm, missRate), rejected: distance > critical, n };
}

/**
 * Discrete F on atoms 0..K−1 with probabilities p (Σ p = 1): D = max_k |F_n(k) − F(k)| over the
 * atoms (the sup of two step functions with the same jumps is attained at an atom). Draws must be
 * integers in [0, K); one outside is a support violation and rejects outright.
 */
export function dkwTestDiscrete(draws: ArrayLike<number>, p: ArrayLike<number>, falseAlarm: number, missRate = 0.01): DkwResult & { readonly outOfSupport: number } {
  const K = p.length, n = draws.length;
  const counts = new Float64Array(K);
  let outOfSupport = 0;
  for (let i = 0; i < n; i++) {
    const k = draws[i];
    if (Number.isInteger(k) && k >= 0 && k < K && p[k] > 0) counts[k]++;
    else outOfSupport++;
  }
  let Fn = 0, F = 0, distance = 0, at = 0;
  for (let k = 0; k < K; k++) {
    Fn += counts[k] / n;
    F += p[k];
    const d = Math.abs(Fn - F);
    if (d > distance) { distance = d; at = k; }
  }
  const critical = dkwRadius(n, falseAlarm);
  return { distance, at, critical, detectable: minDiscrepancyDkw(n, falseAlarm, missRate), rejected: outOfSupport > 0 || distance > critical, n, outOfSupport };
}
