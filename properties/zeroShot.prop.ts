import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { inverseProblemCase, mcSeed } from '../src/arbitraries/index.ts';
import { scaledLinearSchedule } from '../src/diffusion/schedule.ts';
import { InvalidArgumentError, NotSPDError } from '../src/errors.ts';
import { Gaussian } from '../src/gaussian/gaussian.ts';
import { fromRows, matvec } from '../src/linalg/index.ts';
import { createRng } from '../src/mc/rng.ts';
import {
  gaussianPosterior, inverseProblemGeometry, mixturePosterior, posteriorMarginalAt,
} from '../src/theory/inverseProblem.ts';
import { linearInverseProblem } from '../src/models/linearInverseProblem.ts';
import {
  correctionFn, nullSpaceLeak, zeroShotAffineGuidance, zeroShotCorrection, zeroShotGuidance,
} from '../src/theory/zeroShot.ts';

const stepCase = (c: Parameters<typeof inverseProblemCase>[0] = {}) =>
  fc.record({ ip: inverseProblemCase(c), T: fc.constantFrom(10, 100, 1000), u: fc.double({ min: 0, max: 1, noNaN: true }), seed: mcSeed() });
const tOf = (c: { T: number; u: number }) => Math.min(c.T, 1 + Math.floor(c.u * c.T));
const sqNorm = (v: ArrayLike<number>) => Array.from(v).reduce((a, x) => a + x * x, 0);

describe('zero-shot conditional samplers (MATH.md §4)', () => {
  test.prop([stepCase()])('DDNM and BO-DDNM corrections are admissible: (I − H†H) f ≡ 0', (c) => {
    const geom = inverseProblemGeometry(c.ip.problem);
    const s = scaledLinearSchedule(c.T);
    for (const k of ['ddnm', 'bo-ddnm'] as const) {
      const f = zeroShotCorrection(geom, s, tOf(c), k);
      const scale = Math.max(1, ...Array.from(f.A.data, Math.abs), ...Array.from(f.b, Math.abs));
      expect(nullSpaceLeak(geom, f) / scale).toBeLessThanOrEqual(1e-9);
    }
  });

  test.prop([stepCase({ minDim: 2 }).filter((c) => c.ip.problem.H.rows < c.ip.problem.H.cols)])(
    'negative control: a correction with a null-space component is rejected',
    (c) => {
      const geom = inverseProblemGeometry(c.ip.problem);
      const f = zeroShotCorrection(geom, scaledLinearSchedule(c.T), tOf(c), 'bo-ddnm');
      // add 0.1·(I−P)e_j for the coordinate with the largest null-space component
      const d = geom.dim;
      let j = 0;
      for (let i = 1; i < d; i++) if (geom.nullProjector.data[i * d + i] > geom.nullProjector.data[j * d + j]) j = i;
      const leaky = { A: f.A, b: f.b.map((v, i) => v + 0.1 * geom.nullProjector.data[i * d + j]) };
      expect(nullSpaceLeak(geom, leaky)).toBeGreaterThan(1e-3);
    },
  );

  test.prop([stepCase({ sigmaY: 0 })])('σ_y = 0: BO-DDNM = DDNM; negative control: with σ_y = 0.5 they differ', (c) => {
    const s = scaledLinearSchedule(c.T);
    const t = tOf(c);
    const geom = inverseProblemGeometry(c.ip.problem);
    const a = zeroShotCorrection(geom, s, t, 'ddnm'), b = zeroShotCorrection(geom, s, t, 'bo-ddnm');
    const scale = Math.max(1, ...Array.from(a.A.data, Math.abs));
    a.A.data.forEach((v, i) => expect(Math.abs(v - b.A.data[i]) / scale).toBeLessThanOrEqual(1e-9));
    const noisy = inverseProblemGeometry(linearInverseProblem(c.ip.problem.H, 0.5, c.ip.problem.y));
    const bn = zeroShotCorrection(noisy, s, t, 'bo-ddnm');
    const diff = Math.max(...Array.from(a.A.data, (v, i) => Math.abs(v - bn.A.data[i])));
    if (s.alphaBar(t) > 1e-6) expect(diff).toBeGreaterThan(1e-12);
  });

  test.prop([stepCase(), fc.integer({ min: 0, max: 3 })], { numRuns: 60 })(
    'optimal guidance: its mismatch is pointwise ≤ DDNM and BO-DDNM, with zero row-space part (any prior)',
    (c) => {
      const s = scaledLinearSchedule(c.T);
      const t = tOf(c);
      const geom = inverseProblemGeometry(c.ip.problem);
      const post = c.ip.prior instanceof Gaussian ? gaussianPosterior(c.ip.prior, c.ip.problem) : mixturePosterior(c.ip.prior, c.ip.problem);
      const qt = posteriorMarginalAt(post, s, t);
      const x = qt.sampleInto(createRng(c.seed), new Float64Array(geom.dim));
      const truth = qt.score(x);
      const delta = (k: 'ddnm' | 'bo-ddnm' | 'optimal') => {
        const g = zeroShotGuidance(geom, c.ip.prior, s, correctionFn(geom, post, s, k))(x, t);
        return truth.map((v, i) => v - g[i]);
      };
      const dOpt = delta('optimal');
      const scale = Math.max(1, ...Array.from(truth, Math.abs));
      for (const v of matvec(geom.rowProjector, dOpt)) expect(Math.abs(v) / scale).toBeLessThanOrEqual(1e-9);
      const nOpt = sqNorm(dOpt);
      for (const k of ['ddnm', 'bo-ddnm'] as const) expect(nOpt).toBeLessThanOrEqual(sqNorm(delta(k)) * (1 + 1e-9) + 1e-12 * scale * scale);
    },
  );

  test.prop([stepCase({ priorKind: 'gaussian' }), fc.constantFrom('ddnm', 'bo-ddnm', 'optimal' as const)], { numRuns: 60 })(
    'Gaussian prior: the affine form of every guidance equals the functional form (relative 1e-9)',
    (c, kind) => {
      const s = scaledLinearSchedule(c.T);
      const t = tOf(c);
      const geom = inverseProblemGeometry(c.ip.problem);
      const prior = c.ip.prior as Gaussian;
      const post = gaussianPosterior(prior, c.ip.problem);
      const x = createRng(c.seed).fillNormal(new Float64Array(geom.dim));
      const m = zeroShotAffineGuidance(geom, prior, post, s, kind)(t);
      const a = matvec(m.A, x).map((v, i) => v + m.b[i]);
      const b = zeroShotGuidance(geom, prior, s, correctionFn(geom, post, s, kind))(x, t);
      const scale = Math.max(1, ...Array.from(b, Math.abs));
      a.forEach((v, i) => expect(Math.abs(v - b[i]) / scale).toBeLessThanOrEqual(1e-9));
    },
  );

  test.prop([inverseProblemCase({ priorKind: 'mixture' })])('mixture posterior: weights sum to 1; one component reduces to the Gaussian posterior', (c) => {
    const post = mixturePosterior(c.prior as never, c.problem);
    expect(Math.abs(post.weights.reduce((a, b) => a + b, 0) - 1)).toBeLessThanOrEqual(1e-12);
    const g = (c.prior as unknown as { components: Gaussian[] }).components[0];
    const single = mixturePosterior({ weights: Float64Array.of(1), logWeights: Float64Array.of(0), components: [g] } as never, c.problem);
    const direct = gaussianPosterior(g, c.problem);
    single.components[0].mean.forEach((v, i) => expect(Math.abs(v - direct.mean[i])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(v))));
    expect(single.weights[0]).toBe(1);
  });

  test('bad input: typed errors name the field', () => {
    expect(() => linearInverseProblem(fromRows([[1, 0]]), -1, [0])).toThrow(InvalidArgumentError);
    expect(() => linearInverseProblem(fromRows([[1, 0]]), 0, [0, 1])).toThrow(/inverseProblem.y/);
    expect(() => inverseProblemGeometry(linearInverseProblem(fromRows([[1, 0], [2, 0]]), 0, [0, 0]))).toThrow(NotSPDError);
    expect(() => linearInverseProblem(fromRows([[1], [1]]), 0, [0, 0])).toThrow(/1 ≤ p ≤ d/);
  });
});
