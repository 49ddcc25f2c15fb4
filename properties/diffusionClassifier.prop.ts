import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { gaussianOfDim, simpleDouble } from '../src/arbitraries/index.ts';
import { scaledLinearSchedule } from '../src/diffusion/index.ts';
import type { Gaussian } from '../src/gaussian/index.ts';
import { bayesPosterior, diffusionClassifierPosterior, totalVariation } from '../src/theory/diffusionClassifier.ts';

// Li & Yan 2024: class posteriors from per-class ELBOs approach the Bayes posterior as T grows.
const SPD = { maxConditionNumber: 30, centreRange: 0.3, meanBound: 1.5 } as const;
const caseArb = () =>
  fc.integer({ min: 1, max: 2 }).chain((d) =>
    fc.record({
      classes: fc.array(gaussianOfDim(d, SPD), { minLength: 2, maxLength: 3 }),
      logits: fc.array(simpleDouble(-1, 1, 2), { minLength: 3, maxLength: 3 }),
      x0: fc.array(simpleDouble(-2, 2, 2), { minLength: d, maxLength: d }),
    }),
  );
const weightsOf = (classes: readonly Gaussian[], logits: number[]) => {
  const w = classes.map((_, k) => Math.exp(logits[k]));
  const z = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / z);
};
const Ts = [50, 200, 800];

describe('diffusion classifier (Li & Yan 2024)', () => {
  test.prop([caseArb()], { numRuns: 15 })('TV(p̂_T, Bayes) decreases in T and is < 0.02 at T = 800 (prior N(0, I), σ_t² = β_t)', ({ classes, logits, x0 }) => {
    const w = weightsOf(classes, logits);
    const bayes = bayesPosterior(classes, w, x0);
    const tv = Ts.map((T) => totalVariation(bayes, diffusionClassifierPosterior(classes, w, scaledLinearSchedule(T), x0)));
    expect(tv[2]).toBeLessThan(0.02);
    for (let i = 1; i < tv.length; i++) expect(tv[i]).toBeLessThanOrEqual(tv[i - 1] + 1e-12);
  });

  test('negative control: a classifier that drops the class priors π_c does not reach Bayes', () => {
    const out = fc.check(
      fc.property(caseArb(), ({ classes, logits, x0 }) => {
        const w = weightsOf(classes, logits);
        const uniform = classes.map(() => 1 / classes.length);
        return totalVariation(bayesPosterior(classes, w, x0), diffusionClassifierPosterior(classes, uniform, scaledLinearSchedule(800), x0)) < 0.02;
      }),
      { numRuns: 20 },
    );
    expect(out.failed).toBe(true);
  });
});
