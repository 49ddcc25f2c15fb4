import fc from 'fast-check';
import { gaussianOfDim } from '../../arbitraries/gaussian.ts';
import { simpleDouble } from '../../arbitraries/boundedDouble.ts';
import { scaledLinearSchedule } from '../../diffusion/schedule.ts';
import { Gaussian } from '../../gaussian/gaussian.ts';
import { fitPowerLaw } from '../../numerics/powerLawFit.ts';
import { bayesLogits, bayesPosterior, classifierKlBound, diffusionClassifierLogits, diffusionClassifierPosterior, logitPerturbationTvBound, totalVariation } from '../../theory/diffusionClassifier.ts';
import type { Claim } from '../claim.ts';
import type { Figure } from '../figure.ts';
import { T_SWEEP, describeData } from './shared.ts';

interface ClassifierCase {
  readonly classes: Gaussian[];
  readonly weights: number[];
  readonly x0: number[];
}
const CLS_SPD = { maxConditionNumber: 30, centreRange: 0.3, meanBound: 1.5 } as const;
const CLS_T = [50, 200, 800];

export const classifierBayes: Claim<ClassifierCase> = {
  id: 'liyan2024.classifier.bayes-limit',
  source: 'liyan2024',
  statement: 'A diffusion classifier p̂(c|x) ∝ π_c exp(ELBO_c(x)) approaches the Bayes posterior as T grows.',
  assumptions: [
    '2–3 Gaussian classes, d ≤ 2; per-class exact score, σ_t² = β_t, p(x_T) = N(0, I) (as in practice); x ∈ [−2, 2]^d; scaled-linear β, T ∈ {50, 200, 800}',
    'TV(p̂_T, Bayes) at a fixed x is NOT monotone in T (per-class ELBO errors cancel at one T and not the next; with N(0, I) the limit keeps an O(ᾱ_T) prior-mismatch floor): found by the property suite, seed 107',
    'holds if, at every T, TV ≤ tanh(R_T/4) (R_T = spread of log q_c(x) − ELBO_c(x); rounding floor (4K+4)u + 2u·max|e_c|), and the closed-form bound B_T = Σ π_c E_{q_c}[log q_c − ELBO_c] ≥ E_x KL(Bayes ‖ p̂_T) (p(x_T) = class marginal) is non-increasing with B_800 ≤ B_50/4 (measured ∝ 1/T), to its rounding floor',
  ],
  expected: 'holds',
  defaultRuns: 10,
  assertionsPerCase: 0,
  cases: () =>
    fc.integer({ min: 1, max: 2 }).chain((d) =>
      fc.record({
        classes: fc.array(gaussianOfDim(d, CLS_SPD), { minLength: 2, maxLength: 3 }),
        logits: fc.array(simpleDouble(-1, 1, 2), { minLength: 3, maxLength: 3 }),
        x0: fc.array(simpleDouble(-2, 2, 2), { minLength: d, maxLength: d }),
      }).map(({ classes, logits, x0 }) => {
        const w = classes.map((_, k) => Math.exp(logits[k]));
        const z = w.reduce((a, b) => a + b, 0);
        return { classes, weights: w.map((v) => v / z), x0 };
      }),
    ),
  check({ classes, weights, x0 }) {
    const u = Number.EPSILON / 2;
    const bayes = bayesPosterior(classes, weights, x0);
    const lb = bayesLogits(classes, weights, x0);
    const rows = CLS_T.map((T) => {
      const s = scaledLinearSchedule(T);
      const lh = diffusionClassifierLogits(classes, weights, s, x0);
      const tv = totalVariation(bayes, diffusionClassifierPosterior(classes, weights, s, x0));
      const bound = logitPerturbationTvBound(lb, lh);
      const floor = (4 * classes.length + 4) * u + 2 * u * Math.max(...lb.map((v, k) => Math.abs(v - lh[k])));
      return { tv, bound, floor, B: classifierKlBound(classes, weights, s, { prior: 'model-marginal' }) };
    });
    const pointwise = rows.every((r) => r.tv <= r.bound + r.floor);
    const B = rows.map((r) => r.B.bound), F = rows.map((r) => r.B.roundingFloor);
    const shrinking = B.every((b, i) => i === 0 || b <= B[i - 1] + F[i] + F[i - 1]) && B[2] <= B[0] / 4 + F[2] + F[0] / 4;
    const worst = Math.max(...rows.map((r) => r.tv - r.bound));
    return {
      holds: pointwise && shrinking,
      maxError: worst,
      tolerance: Math.max(...rows.map((r) => r.floor)),
      quantities: { T: CLS_T, TV: rows.map((r) => r.tv), 'tanh(R_T/4)': rows.map((r) => r.bound), B_T: B, Bayes: Array.from(bayes) },
    };
  },
  describeCase: (c) => ({ classes: c.classes.map(describeData), weights: c.weights, x0: c.x0 }),
  figures: () => [classifierFigure()],
};

function classifierFigure(): Figure {
  const classes = [new Gaussian([0.5, 0], { rows: 2, cols: 2, data: Float64Array.from([1, 0.2, 0.2, 0.5]) }), new Gaussian([-0.5, 0.3], { rows: 2, cols: 2, data: Float64Array.from([0.6, 0, 0, 1.2]) })];
  const w = [0.4, 0.6], x0 = [0.2, 0.1];
  const bayes = bayesPosterior(classes, w, x0);
  const series = (['beta', 'betaTilde'] as const).map((variance) => {
    const tv = T_SWEEP.map((T) => totalVariation(bayes, diffusionClassifierPosterior(classes, w, scaledLinearSchedule(T), x0, { variance })));
    return { name: `σ² = ${variance === 'beta' ? 'β_t' : 'β̃_t'} (slope ${fitPowerLaw(T_SWEEP.slice(2), tv.slice(2)).exponent.toFixed(2)})`, points: T_SWEEP.map((T, i) => [T, tv[i]] as [number, number]) };
  });
  return { id: 'liyan2024-classifier-tv-vs-T', title: 'Diffusion classifier: TV to the Bayes posterior against T', xLabel: 'T (scaled-linear β)', yLabel: 'total variation', logX: true, logY: true, series, caption: 'Two Gaussian classes in d = 2, prior N(0, I). Both variance choices converge like 1/T.' };
}

export const classifierClaims: readonly Claim[] = [classifierBayes];
