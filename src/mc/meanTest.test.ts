import { describe, expect, test } from 'vitest';
import { minNumSamplesNormalTail } from './meanTest.ts';
import { criticalZ } from './tolerance.ts';

/** P(χ²_n > x) for even n, exactly: the Poisson sum Σ_{k<n/2} e^{−x/2}(x/2)^k/k!, in log space. */
function chiSquareUpperTail(n: number, x: number): number {
  const h = x / 2, logs: number[] = [];
  let logFact = 0;
  for (let k = 0; k < n / 2; k++) { if (k > 0) logFact += Math.log(k); logs.push(-h + k * Math.log(h) - logFact); }
  const mx = Math.max(...logs);
  return Math.exp(mx) * logs.reduce((s, l) => s + Math.exp(l - mx), 0);
}

describe('minNumSamplesNormalTail: the Cramér minimum keeps a z-test’s real false-alarm rate within its factor', () => {
  // The mean of n χ²₁ draws (skewness √8, excess kurtosis 12, the heaviest bilinear Gaussian form per
  // unit variance) is χ²_n/n: its upper tail beyond 1 + z√(2/n) is exact.
  for (const alpha of [1e-6, 3e-8, 1e-9]) {
    test(`α = ${alpha}: at the returned n the tail is ≤ 10·α/2; at n = 2 it is > 1000·α/2 (the control)`, () => {
      const z = criticalZ(alpha);
      let n = minNumSamplesNormalTail(alpha, Math.sqrt(8), 12, 10);
      n += n % 2;
      const ratio = (m: number) => chiSquareUpperTail(m, m + z * Math.sqrt(2 * m)) / (alpha / 2);
      expect(ratio(n)).toBeLessThanOrEqual(10);
      expect(ratio(2)).toBeGreaterThan(1000);
    });
  }

  test('a normal draw needs no minimum; heavier shapes need more; bad input is a RangeError', () => {
    expect(minNumSamplesNormalTail(1e-8, 0, 0)).toBe(0);
    expect(minNumSamplesNormalTail(1e-8, 0, -1)).toBe(0);
    const light = minNumSamplesNormalTail(1e-8, 0.5, 1), heavy = minNumSamplesNormalTail(1e-8, 2, 8);
    expect(heavy).toBeGreaterThan(light);
    expect(minNumSamplesNormalTail(1e-8, 2, 8, 100)).toBeLessThan(heavy);
    expect(() => minNumSamplesNormalTail(1e-8, Number.NaN, 0)).toThrow(RangeError);
    expect(() => minNumSamplesNormalTail(1e-8, 1, 1, 1)).toThrow(RangeError);
  });
});

// ---- The stated error rates of the mean test, by simulation with exactly normal draws --------------------
// Each replication draws n iid N(μ, 1) values from a seeded rng, forms the mean (and, for the t-test, the
// estimated standard error) and runs the test at α = 0.05. The rejection count K over R replications is
// Binomial(R, p) with p the test's exact rejection probability; each count is held to the EXACT binomial
// acceptance region at false-alarm probability γ = 1e-6 (γ/2 per tail). Exact p: α under H0 (z: the normal
// law; t: Student's, now that criticalT is exact), Φ(Δ − c) + Φ(−Δ − c) for the z-test at shift Δ·SE, and for
// the t-test at shift λ·σ/√n the noncentral-t power E_S[Φ(λ − cS) + Φ(−λ − cS)], S² ~ χ²_ν/ν, by Simpson.
import { createRng } from './rng.ts';
import { assertMeanAtMost, assertMeanEqual, criticalValue, minDiscrepancyMean, minNumSamplesMean } from './meanTest.ts';
import { normalCdf } from '../numerics/normalCdf.ts';
import { normalQuantile } from './normalQuantile.ts';
import { criticalT } from './tolerance.ts';

const ALPHA = 0.05, GAMMA = 1e-6, R = 4000;

/** Smallest region [lo, hi] with P(K < lo) ≤ γ/2 and P(K > hi) ≤ γ/2 for K ~ Binomial(R, p) (pmf in log space). */
function binomialRegion(r: number, p: number, gamma = GAMMA): [number, number] {
  const logPmf = new Float64Array(r + 1);
  logPmf[0] = r * Math.log1p(-p);
  for (let k = 0; k < r; k++) logPmf[k + 1] = logPmf[k] + Math.log((r - k) / (k + 1)) + Math.log(p / (1 - p));
  let lo = 0, below = 0;
  while (below + Math.exp(logPmf[lo]) <= gamma / 2) below += Math.exp(logPmf[lo++]);
  let hi = r, above = 0;
  while (above + Math.exp(logPmf[hi]) <= gamma / 2) above += Math.exp(logPmf[hi--]);
  return [lo, hi];
}

/** P(K ∈ [lo, hi]) for K ~ Binomial(R, p): the miss probability of a negative control. */
function binomialMass(r: number, p: number, [lo, hi]: [number, number]): number {
  let lp = r * Math.log1p(-p), s = 0;
  for (let k = 0; k <= hi; k++) { if (k >= lo) s += Math.exp(lp); lp += Math.log((r - k) / (k + 1)) + Math.log(p / (1 - p)); }
  return s;
}

/** Rejections of `test` over R replications of n N(shift, 1) draws; SE estimated from the draws or known (1/√n). */
function rejections(seed: string, n: number, shift: number, estimated: boolean, run: (mean: number, stderr: number) => boolean): number {
  const rng = createRng(seed), x = new Float64Array(n);
  let k = 0;
  for (let r = 0; r < R; r++) {
    rng.fillNormal(x);
    let m = 0;
    for (let i = 0; i < n; i++) m += x[i] + shift;
    m /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (x[i] + shift - m) ** 2;
    if (!run(m, estimated ? Math.sqrt(ss / (n - 1) / n) : 1 / Math.sqrt(n))) k++;
  }
  return k;
}

/** Power of the two-sided t-test (critical c, ν dof) at noncentrality λ: Simpson over the density of S = √(χ²_ν/ν). */
function tPower(lambda: number, c: number, nu: number): number {
  let logGam = 0, x = nu / 2;
  while (x < 10) { logGam -= Math.log(x); x += 1; }
  logGam += (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3) + 1 / (1260 * x ** 5);
  const logC = (nu / 2) * Math.log(nu / 2) - logGam + Math.log(2);
  const dens = (s: number) => (s <= 0 ? 0 : Math.exp(logC + (nu - 1) * Math.log(s) - (nu * s * s) / 2));
  const N = 20000, hi = 4 + 12 / Math.sqrt(nu);
  let acc = 0;
  for (let i = 0; i <= N; i++) {
    const s = (hi * i) / N, w = i === 0 || i === N ? 1 : i % 2 ? 4 : 2;
    acc += w * dens(s) * (normalCdf(lambda - c * s) + normalCdf(-lambda - c * s));
  }
  return (acc * hi) / N / 3;
}

const inRegion = (k: number, p: number) => { const [lo, hi] = binomialRegion(R, p); return k >= lo && k <= hi; };

describe('assertMeanEqual / assertMeanAtMost: the stated false-alarm rate and power, by simulation (α = 0.05, R = 4000, γ = 1e-6)', () => {
  const n = 5;
  test('the exact tools agree: tPower at λ = 0 is the size α (quadrature against the exact t critical value)', () => {
    for (const nu of [2, 4, 19]) expect(Math.abs(tPower(0, criticalValue(ALPHA, nu + 1, true, 2), nu) - ALPHA)).toBeLessThan(1e-6);
  });

  test('zero shift: the t-test (SE estimated, n = 5) and the z-test (SE known) reject at rate α', () => {
    const opts = { falseAlarm: ALPHA };
    const kt = rejections('mean-test-size-t', n, 0, true, (m, se) => assertMeanEqual({ mean: m, stderr: se, n }, 0, opts).holds);
    const kz = rejections('mean-test-size-z', n, 0, false, (m, se) => assertMeanEqual({ mean: m, stderr: se, n }, 0, { ...opts, stderrEstimated: false }).holds);
    expect(inRegion(kt, ALPHA), `t: ${kt}/${R}`).toBe(true);
    expect(inRegion(kz, ALPHA), `z: ${kz}/${R}`).toBe(true);
  });

  test('negative control: z where t is needed (SE estimated, n = 5) rejects at P(|T₄| > 1.96) = 0.12, outside the α region', () => {
    const k = rejections('mean-test-size-t', n, 0, true, (m, se) => assertMeanEqual({ mean: m, stderr: se, n }, 0, { falseAlarm: ALPHA, stderrEstimated: false }).holds);
    expect(inRegion(k, ALPHA), `${k}/${R}`).toBe(false);
    // Power of this control: the chance the wrong test's count lands inside the α region.
    expect(binomialMass(R, tailOfT4(criticalValue(ALPHA, n, false, 2)), binomialRegion(R, ALPHA))).toBeLessThan(1e-12);
  });

  test('at the reported detectable shift: the z-test detects with power 0.99; the t-test with its exact noncentral-t power', () => {
    const zc = criticalValue(ALPHA, n, false, 2), dz = minDiscrepancyMean(1 / Math.sqrt(n), zc);
    const pz = normalCdf(dz * Math.sqrt(n) - zc) + normalCdf(-dz * Math.sqrt(n) - zc);
    expect(Math.abs(pz - 0.99)).toBeLessThan(1e-6);
    const kz = rejections('mean-test-power-z', n, dz, false, (m, se) => assertMeanEqual({ mean: m, stderr: se, n }, 0, { falseAlarm: ALPHA, stderrEstimated: false }).holds);
    expect(inRegion(kz, pz), `z: ${kz}/${R}`).toBe(true);
    // The t-test: planned with the true σ/√n (what a caller sizing by minNumSamplesMean has).
    const tc = criticalValue(ALPHA, n, true, 2), dt = assertMeanEqual({ mean: 0, stderr: 1 / Math.sqrt(n), n }, 0, { falseAlarm: ALPHA }).detectable;
    const pt = tPower(dt * Math.sqrt(n), tc, n - 1);
    expect(pt).toBeGreaterThan(0.985);
    const kt = rejections('mean-test-power-t', n, dt, true, (m, se) => assertMeanEqual({ mean: m, stderr: se, n }, 0, { falseAlarm: ALPHA }).holds);
    expect(inRegion(kt, pt), `t: ${kt}/${R}, exact power ${pt}`).toBe(true);
    // Negative control: half the detectable shift has power Φ(Δ/2 − c) ≈ 0.63, far outside the 0.99 region.
    const kHalf = rejections('mean-test-power-z', n, dz / 2, false, (m, se) => assertMeanEqual({ mean: m, stderr: se, n }, 0, { falseAlarm: ALPHA, stderrEstimated: false }).holds);
    expect(inRegion(kHalf, pz), `half shift: ${kHalf}/${R}`).toBe(false);
  });

  test('`detectable` for an estimated SE (noncentral-t approximation, MATH.md §20.2): exact power ≥ 0.984 for n ≥ 3, within 5e-4 of 0.99 from n = 50 (quadrature)', () => {
    for (const a of [0.05, 1e-3, 1e-6, 1e-9]) for (const m of [3, 5, 10, 20, 50, 100, 1000, 10000]) {
      const c = criticalValue(a, m, true, 2), power = tPower(minDiscrepancyMean(1, c, 0.01, m - 1), c, m - 1);
      expect(power, `α = ${a}, n = ${m}`).toBeGreaterThanOrEqual(0.984);
      if (m >= 50) expect(Math.abs(power - 0.99), `α = ${a}, n = ${m}`).toBeLessThan(5e-4);
    }
    // Negative control: the z-test's (c + z_β)·SE with t's c — what `detectable` was before — has power 0.64 at
    // n = 5, α = 1e-6 and misses 0.99 by 0.004 at n = 100.
    const c5 = criticalValue(1e-6, 5, true, 2), c100 = criticalValue(1e-6, 100, true, 2);
    expect(tPower(minDiscrepancyMean(1, c5), c5, 4)).toBeLessThan(0.7);
    expect(0.99 - tPower(minDiscrepancyMean(1, c100), c100, 99)).toBeGreaterThan(5e-4);
    expect(() => minDiscrepancyMean(1, 2, 0.01, 0.5)).toThrow(RangeError);
  });

  test('assertMeanAtMost rejects only above: rate α at zero shift, none below, 0.99 at +detectable; the two-sided test is its control', () => {
    const opts = { falseAlarm: ALPHA, stderrEstimated: false };
    const c1 = criticalValue(ALPHA, n, false, 1);
    expect(Math.abs(c1 - normalQuantile(1 - ALPHA))).toBeLessThan(1e-12);
    const at = (seed: string, shift: number) => rejections(seed, n, shift, false, (m, se) => assertMeanAtMost({ mean: m, stderr: se, n }, 0, opts).holds);
    expect(inRegion(at('at-most-0', 0), ALPHA)).toBe(true);
    const d1 = minDiscrepancyMean(1 / Math.sqrt(n), c1);
    expect(at('at-most-below', -d1)).toBe(0);
    expect(inRegion(at('at-most-above', d1), normalCdf(d1 * Math.sqrt(n) - c1))).toBe(true);
    // Control: the two-sided test at the same shift below does reject (rate Φ(−Δ − c₂) ≈ 0.99).
    const two = rejections('at-most-below', n, -d1, false, (m, se) => assertMeanEqual({ mean: m, stderr: se, n }, 0, opts).holds);
    expect(two).toBeGreaterThan(R / 2);
  });

  test('minNumSamplesMean: the returned n is the smallest whose z-test detects δ with power ≥ 0.99 (exact normal power)', () => {
    for (const [v, d, a] of [[1, 0.1, 0.05], [4, 0.05, 1e-6], [0.3, 0.01, 1e-9]] as const) {
      const m = minNumSamplesMean(v, d, a), c = criticalValue(a, m, false, 2);
      const power = (k: number) => normalCdf((d * Math.sqrt(k)) / Math.sqrt(v) - c) + normalCdf((-d * Math.sqrt(k)) / Math.sqrt(v) - c);
      expect(power(m)).toBeGreaterThanOrEqual(0.99 - 1e-12);
      expect(power(m - 1)).toBeLessThan(0.99); // negative control: one draw fewer is not enough
    }
    expect(() => minNumSamplesMean(Number.NaN, 1, 0.05)).toThrow(RangeError);
    expect(() => minNumSamplesMean(1, 0, 0.05)).toThrow(RangeError);
  });

  test('criticalValue: one-sided at α is two-sided at 2α; t only when the SE is estimated and n > 1', () => {
    expect(criticalValue(0.01, 10, true, 1)).toBe(criticalT(0.02, 9));
    expect(criticalValue(0.01, 10, false, 2)).toBe(criticalValue(0.01, Infinity, true, 2));
    expect(criticalValue(0.01, 1, true, 2)).toBe(criticalValue(0.01, 1, false, 2));
  });
});

/** P(|T₄| > t) = 1 − sin θ (1 + ½cos²θ), θ = atan(t/2) (A&S 26.7.3 with ν = 4). */
function tailOfT4(t: number): number {
  const th = Math.atan(t / 2);
  return 1 - Math.sin(th) * (1 + 0.5 * Math.cos(th) ** 2);
}
