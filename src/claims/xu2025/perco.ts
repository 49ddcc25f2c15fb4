import fc from 'fast-check';
import { simpleDouble } from '../../arbitraries/boundedDouble.ts';
import { vpFromBetas } from '../../diffusion/schedule.ts';
import { withinTolerance } from '../../engine/outcome.ts';
import { percoBias, percoBiasByRate } from '../../theory/percoRateAllocation.ts';
import { scheduleLevels, uniformTimestepWeights } from '../../theory/weightedLevels.ts';
import type { Claim } from '../claim.ts';
import type { Figure } from '../../engine/figure.ts';

/*
 * PerCo (Xu 2025, §4 "affected works"; MATH.md §13.3): a compression encoder whose output is optimized
 * through the diffusion decoder's DSM loss, at the fixed rate of its quantizer.
 */

export interface PercoCase {
  readonly eigenvalues: number[];
  readonly bitsPerDim: number;
}

/** d ∈ [2, 4] eigen-directions with variances 10^u (u ∈ [−2, 2.5]); rate ∈ [0.02, 3] bits per dimension. */
const cases = (): fc.Arbitrary<PercoCase> => fc.integer({ min: 2, max: 4 }).chain((d) => fc.record({
  eigenvalues: fc.array(simpleDouble(-2, 2.5, 2).map((u) => 10 ** u), { minLength: d, maxLength: d }),
  bitsPerDim: simpleDouble(0.02, 3, 3),
}));

/** Stable Diffusion's schedule (β = linspace(√0.00085, √0.012, T)²), T = 100, t uniform (PerCo fine-tunes it). */
const T = 100;
const sd = vpFromBetas(Array.from({ length: T }, (_, i) => (Math.sqrt(0.00085) + ((Math.sqrt(0.012) - Math.sqrt(0.00085)) * i) / (T - 1)) ** 2), 'sd');
const levels = scheduleLevels(sd);
const weights = uniformTimestepWeights(T);

export const percoWaterFilling: Claim<PercoCase> = {
  id: 'xu2025.perco.dsm-encoder-allocates-like-water-filling',
  source: 'xu2025',
  section: '§4 (PerCo)',
  statement: 'Read as "training the encoder through the diffusion decoder\'s DSM loss spends a fixed bitrate like a distortion-optimal codec": the DSM-optimal allocation loses no PSNR against reverse water-filling at the same rate — the reading Xu 2025\'s bias refutes.',
  assumptions: [
    'Gaussian source N(0, diag(λ)), d ≤ 4; Gaussian test channels on the eigen-directions at a fixed total rate (PerCo\'s quantizer fixes the rate); the decoder at its optimum (ESM = 0 and h(x|c) the same for every allocation)',
    'DSM weighting: Stable Diffusion\'s schedule (100 steps), t uniform; DSM allocation: the exact optimum on a grid of R/512 (dynamic programming over the budget), then exchange refinement (KKT-stationary)',
    'holds if the perfect-realism PSNR lost at equal rate, 10 log10(MSE_DSM/MSE_water-filling), is ≤ 1e-6 dB',
  ],
  expected: 'refuted',
  defaultRuns: 60,
  assertionsPerCase: 0,
  cases,
  check(c) {
    const r = percoBias(c.eigenvalues, c.bitsPerDim * c.eigenvalues.length * Math.LN2, levels, weights);
    return withinTolerance(r.psnrLossDb, 1e-6, {
      metric: 'PSNR lost at equal rate (dB)',
      quantities: { 'DSM rates (nats)': Array.from(r.dsm.rates), 'water-filling rates (nats)': Array.from(r.waterFilling.rates), 'N_w DSM': r.scoreNormDsm, 'N_w water-filling': r.scoreNormWaterFilling, 'MSE DSM': r.mseDsm, 'MSE water-filling': r.mseWaterFilling },
    });
  },
  describeCase: (c) => c,
  figures: () => [percoRateFigure()],
};

function percoRateFigure(): Figure {
  const lambda = [100, 50, 10, 5, 1, 0.5];
  const bits = [0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3];
  const rows = percoBiasByRate(lambda, bits, levels, weights);
  return {
    id: 'xu2025-perco-psnr-by-rate',
    title: 'PerCo: PSNR lost by the DSM-trained encoder at equal rate',
    xLabel: 'rate (bits per dimension)',
    yLabel: 'dB lost against reverse water-filling',
    series: [{ name: 'λ = 100, 50, 10, 5, 1, 0.5; Stable Diffusion schedule', points: rows.map((r) => [r.bitsPerDim, r.psnrLossDb] as const) }],
    caption: 'The DSM loss values a direction by how far its posterior variance sits from the trained noise levels, so at low rates it leaves the largest-variance directions unencoded. Preset: fixtures/bias/presets/perco.json.',
  };
}

export const percoClaims: readonly Claim[] = [percoWaterFilling];
