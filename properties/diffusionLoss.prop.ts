import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { gaussianOfDim, mixtureOfDim, simpleDouble } from '../src/arbitraries/index.ts';
import { gaussianKL } from '../src/gaussian/klDivergence.ts';
import { expectedLossExcess, tokenNllFromPredictor } from '../src/theory/diffusionLoss.ts';
import { mmseNoisePredictor } from '../src/theory/mmseNoisePredictor.ts';

// Li & Yan 2024 on MAR: the formula-weighted per-token diffusion loss is the token NLL (up to a constant).
const SPD = { maxConditionNumber: 100, centreRange: 0.5, meanBound: 2 } as const;
const pair = () => fc.integer({ min: 1, max: 3 }).chain((d) => fc.tuple(gaussianOfDim(d, SPD), gaussianOfDim(d, SPD)));

describe('diffusion loss as a token-NLL surrogate (Li & Yan 2024)', () => {
  test.prop([pair()], { numRuns: 25 })('formula-weighted excess loss of a candidate = KL(data ‖ candidate) (the NLL excess)', ([q, p]) => {
    const ex = expectedLossExcess(q, p, 'density-formula');
    const kl = gaussianKL(q, p);
    expect(Math.abs(ex.value - kl)).toBeLessThanOrEqual(ex.error + 1e-10 * Math.max(1, kl));
  });

  test('negative control: MAR\'s uniform-t cosine weighting fails the same identity', () => {
    const out = fc.check(
      fc.property(pair(), ([q, p]) => {
        const ex = expectedLossExcess(q, p, 'mar-cosine');
        return Math.abs(ex.value - gaussianKL(q, p)) <= ex.error + 1e-10 * Math.max(1, gaussianKL(q, p));
      }),
      { numRuns: 20 },
    );
    expect(out.failed).toBe(true);
  });

  test.prop([fc.integer({ min: 1, max: 2 }).chain((d) => fc.tuple(mixtureOfDim(d, { ...SPD, maxComponents: 2 }), fc.array(simpleDouble(-2, 2, 2), { minLength: d, maxLength: d })))], { numRuns: 6 })(
    'the per-token NLL read off the exact diffusion head equals −log p(x | z) for mixture tokens (Gauss–Hermite bound)',
    ([m, x]) => {
      const r = tokenNllFromPredictor(x, mmseNoisePredictor(m), { inner: { kind: 'gauss-hermite' }, relTol: 1e-10, absTol: 1e-10 });
      expect(Math.abs(r.nll + m.logPdf(x))).toBeLessThanOrEqual(r.quadratureError + 1e-12);
    },
  );
});
