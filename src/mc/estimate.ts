/** A Monte Carlo estimate: sample mean, its standard error, and the sample count. */
export interface Estimate {
  readonly mean: number;
  /** Standard error of the mean: sqrt(sampleVariance / n). */
  readonly stderr: number;
  /** Unbiased sample variance of one draw. */
  readonly variance: number;
  readonly n: number;
}

/** Mean and variance of per-sample values (two-pass, numerically stable). */
export function estimateFromSamples(xs: ArrayLike<number>): Estimate {
  const n = xs.length;
  if (n < 2) throw new RangeError(`estimateFromSamples: need at least 2 samples, got ${n}`);
  let s = 0;
  for (let i = 0; i < n; i++) s += xs[i];
  const mean = s / n;
  let ss = 0, c = 0;
  for (let i = 0; i < n; i++) {
    const d = xs[i] - mean;
    ss += d * d;
    c += d;
  }
  const variance = (ss - (c * c) / n) / (n - 1);
  return { mean, variance, stderr: Math.sqrt(variance / n), n };
}

/**
 * Running (Welford) accumulator, for estimators that do not want to keep
 * every sample in memory.
 */
export class RunningEstimate {
  private count = 0;
  private m = 0;
  private m2 = 0;

  push(x: number): void {
    this.count++;
    const d = x - this.m;
    this.m += d / this.count;
    this.m2 += d * (x - this.m);
  }

  result(): Estimate {
    const n = this.count;
    if (n < 2) throw new RangeError(`RunningEstimate: need at least 2 samples, got ${n}`);
    const variance = this.m2 / (n - 1);
    return { mean: this.m, variance, stderr: Math.sqrt(variance / n), n };
  }
}
