import { InvalidArgumentError } from '../errors.ts';

/**
 * Least-squares fit of log y = log c + p log x (a power law y ≈ c x^p) with the
 * standard error of the exponent. Points with y ≤ 0 are rejected by name.
 */
export interface PowerLawFit {
  readonly exponent: number;
  readonly exponentStderr: number;
  readonly coefficient: number;
  readonly points: number;
}

export function fitPowerLaw(xs: ArrayLike<number>, ys: ArrayLike<number>): PowerLawFit {
  const n = xs.length;
  if (ys.length !== n || n < 2) throw new InvalidArgumentError('fitPowerLaw.points', n, 'need ≥ 2 (x, y) pairs of equal length');
  let sx = 0, sy = 0;
  const lx = new Float64Array(n), ly = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (!(xs[i] > 0)) throw new InvalidArgumentError(`fitPowerLaw.x[${i}]`, xs[i], 'must be > 0');
    if (!(ys[i] > 0)) throw new InvalidArgumentError(`fitPowerLaw.y[${i}]`, ys[i], 'must be > 0');
    lx[i] = Math.log(xs[i]);
    ly[i] = Math.log(ys[i]);
    sx += lx[i];
    sy += ly[i];
  }
  const mx = sx / n, my = sy / n;
  let sxx = 0, sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (lx[i] - mx) ** 2;
    sxy += (lx[i] - mx) * (ly[i] - my);
  }
  const p = sxy / sxx;
  let rss = 0;
  for (let i = 0; i < n; i++) rss += (ly[i] - my - p * (lx[i] - mx)) ** 2;
  const se = n > 2 ? Math.sqrt(rss / (n - 2) / sxx) : 0;
  return { exponent: p, exponentStderr: se, coefficient: Math.exp(my - p * mx), points: n };
}
