import fc from 'fast-check';
import { gaussianOfDim } from '../../arbitraries/gaussian.ts';
import { simpleDouble } from '../../arbitraries/boundedDouble.ts';
import { vpSchedule } from '../../arbitraries/schedule.ts';
import type { VPSchedule } from '../../diffusion/schedule.ts';
import type { Gaussian } from '../../gaussian/gaussian.ts';
import { ddpmDecomposition } from '../../theory/ddpmDecomposition.ts';
import type { Claim } from '../claim.ts';
import { SPD, describeData, pointNear } from './shared.ts';

const offsets = fc.array(simpleDouble(-3, 3, 2), { minLength: 3, maxLength: 3 });
const dataArb = (maxDim = 3) => fc.integer({ min: 1, max: maxDim }).chain((d) => gaussianOfDim(d, SPD));

export const decompositionExact: Claim<{ g: Gaussian; schedule: VPSchedule; u: number[] }> = {
  id: 'liyan2024.ddpm.decomposition-exact',
  source: 'liyan2024',
  statement: 'log q(x_0) = E[log q(x_T) − log q(x_T|x_0)] + E[log q(x_0|x_1)] − Σ_{t≥2} E KL(q(x_{t−1}|x_t,x_0) ‖ q(x_{t−1}|x_t)) exactly, for every T.',
  assumptions: ['Gaussian data, d ≤ 3, cond ≤ 100', 'linear / scaled-linear / cosine VP schedule, 1 ≤ T ≤ 2000', 'closed form per eigen-direction; holds if |total − log q| ≤ 1e-10 · max(1, |log q|)'],
  expected: 'holds',
  defaultRuns: 40,
  assertionsPerCase: 0,
  cases: () => fc.record({ g: dataArb(), schedule: vpSchedule({ maxT: 2000 }), u: offsets }),
  check({ g, schedule, u }) {
    const x0 = pointNear(g, u);
    const r = ddpmDecomposition(g, schedule, x0);
    const lq = g.logPdf(x0);
    const tol = 1e-10 * Math.max(1, Math.abs(lq));
    const err = Math.abs(r.total - lq);
    return { holds: err <= tol, maxError: err, tolerance: tol, quantities: { 'log q(x_0)': lq, total: r.total, prior: r.prior, reconstruction: r.reconstruction, 'Σ KL': r.klSum, T: schedule.T } };
  },
  describeCase: ({ g, schedule, u }) => ({ data: describeData(g), schedule: schedule.name, x0: Array.from(pointNear(g, u)) }),
};

export const ddpmClaims: readonly Claim[] = [decompositionExact];
