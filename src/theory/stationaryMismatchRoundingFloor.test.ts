import { all, create, type BigNumber, type Matrix as MjMatrix } from 'mathjs';
import { describe, expect, test } from 'vitest';
import { scaledLinearSchedule } from '../diffusion/schedule.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { discreteAccumulatedMismatch, toeplitzCovariance } from './mismatchAsymptotics.ts';
import { type StationaryPair, stationaryMismatchRoundingFloor } from './stationaryBiasSlope.ts';

/*
 * stationaryMismatchRoundingFloor bounds |W_bias computed in float64 − W_bias exact|. Independent route: W_bias of the
 * AR(1) pair in 50-digit arithmetic (mathjs BigNumber) from its definition (MATH.md §13.9) —
 *   W = Σ_t (1 − α_t)/2 · [tr(D S D) + ᾱ_t m²‖P_tr 1‖²], S = ᾱΣ_ta + (1 − ᾱ)I, P_ta = S⁻¹,
 *   P_tr = (ᾱΣ_tr + (1 − ᾱ)I)⁻¹, D = P_tr − P_ta,
 * with the float64 betas of the schedule taken as exact inputs — and the float64 W of the library's exact path
 * decomposition must lie within the floor of it.
 */
const M = create(all, { number: 'BigNumber', precision: 50 });
const big = (x: number) => M.bignumber(x);

function exactWBias(p: StationaryPair, d: number, T: number): number {
  const betas = Array.from(scaledLinearSchedule(T).betas);
  const toe = (rho: number, v: number) => M.matrix(Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => M.multiply(big(v), M.pow(big(rho), Math.abs(i - j))) as BigNumber)));
  const Sta = toe(p.rhoTarget, p.varianceTarget), Str = toe(p.rhoTraining, 1), I = M.identity(d) as MjMatrix, ones = M.matrix(new Array(d).fill(big(1)));
  let ab = big(1), W = big(0);
  for (let t = 1; t <= T; t++) {
    const beta = big(betas[t - 1]);
    ab = M.multiply(ab, M.subtract(1, beta)) as BigNumber;
    const noise = M.subtract(1, ab) as BigNumber;
    const S = M.add(M.multiply(ab, Sta), M.multiply(noise, I)) as MjMatrix;
    const Ptr = M.inv(M.add(M.multiply(ab, Str), M.multiply(noise, I)) as MjMatrix);
    const D = M.subtract(Ptr, M.inv(S)) as MjMatrix;
    const trDSD = M.trace(M.multiply(M.multiply(D, S), D)) as unknown as BigNumber;
    const Pt1 = M.multiply(Ptr, ones) as MjMatrix;
    const meanTerm = M.multiply(M.multiply(ab, big(p.mean * p.mean)), M.dot(Pt1, Pt1)) as BigNumber;
    W = M.add(W, M.multiply(M.divide(beta, 2), M.add(trDSD, meanTerm))) as BigNumber;
  }
  return M.number(W as unknown as number);
}

const floatWBias = (p: StationaryPair, d: number, T: number) =>
  discreteAccumulatedMismatch(new Gaussian(new Float64Array(d).fill(p.mean), toeplitzCovariance(d, p.rhoTarget, p.varianceTarget)), new Gaussian(new Float64Array(d), toeplitzCovariance(d, p.rhoTraining)), T);

const pairs: [string, StationaryPair][] = [
  ['far apart', { rhoTarget: 0.8, rhoTraining: -0.8, varianceTarget: 3.2, mean: 1 }],
  ['moderate', { rhoTarget: 0.4, rhoTraining: 0.1, varianceTarget: 0.5, mean: -0.3 }],
  ['nearly equal (cancellation in P_tr − P_ta)', { rhoTarget: 0.5, rhoTraining: 0.5 + 1e-7, varianceTarget: 1 + 1e-7, mean: 1e-7 }],
  ['equal (W = 0)', { rhoTarget: 0.5, rhoTraining: 0.5, varianceTarget: 1, mean: 0 }],
];

describe('stationaryMismatchRoundingFloor bounds the float64 W_bias’s distance from a 50-digit W_bias', () => {
  for (const [name, p] of pairs) for (const [d, T] of [[3, 2], [6, 5]]) {
    test(`${name}, d = ${d}, T = ${T}`, () => {
      const exact = exactWBias(p, d, T), got = floatWBias(p, d, T);
      const floor = stationaryMismatchRoundingFloor(p, scaledLinearSchedule(T), d, got);
      expect(Math.abs(got - exact), `W = ${exact}, float ${got}, floor ${floor}`).toBeLessThanOrEqual(floor);
      // The floor is a bound, not a blanket: within 1e-6 of W where W is not tiny.
      if (exact > 1e-3) expect(floor).toBeLessThanOrEqual(1e-6 * exact);
    });
  }

  test('negative control: a purely relative floor (T + 32)·u·W is exceeded where target and training nearly agree', () => {
    const p = pairs[2][1], d = 6, T = 5;
    const exact = exactWBias(p, d, T), got = floatWBias(p, d, T);
    expect(Math.abs(got - exact)).toBeGreaterThan((T + 32) * (Number.EPSILON / 2) * Math.abs(got));
  });
});
