import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { gaussianOfDim, mixtureOfDim, simpleDouble } from '../arbitraries/index.ts';
import { Gaussian } from './gaussian.ts';
import { GaussianMixture } from './mixture.ts';

const point = (d: number) => fc.array(simpleDouble(-4, 4, 2), { minLength: d, maxLength: d });
const lawAndPoint = fc.integer({ min: 1, max: 4 }).chain((d) =>
  fc.tuple(fc.oneof(gaussianOfDim(d), mixtureOfDim(d, { maxComponents: 4 })), point(d)),
);
const close = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  const scale = Math.max(1, ...Array.from(b, Math.abs));
  return Array.from(a).every((v, i) => Math.abs(v - b[i]) <= 1e-12 * scale);
};

describe('scoreInto (allocation-free score, the sampler hot path)', () => {
  /** Independent of the packed path: Σ_k r_k(x) Σ_k⁻¹(μ_k − x) through each component's Cholesky solve. */
  const reference = (law: Gaussian | GaussianMixture, x: number[]) => {
    if (law instanceof Gaussian) return law.score(x);
    const r = law.responsibilities(x), out = new Float64Array(law.dim);
    law.components.forEach((c, k) => c.score(x).forEach((v, i) => (out[i] += r[k] * v)));
    return out;
  };

  test.prop([lawAndPoint])('equals Σ r_k ∇log N_k (Cholesky solves) for Gaussians and mixtures, relative 1e-12, on reused buffers', ([law, x]) => {
    const out = new Float64Array(law.dim);
    expect(close(law.scoreInto(x, out), reference(law, x))).toBe(true);
    // a second call on the same buffer and packed state
    const y = x.map((v) => -v);
    expect(close(law.scoreInto(y, out), reference(law, y))).toBe(true);
  });

  test.prop([fc.integer({ min: 1, max: 3 }).chain((d) => fc.tuple(mixtureOfDim(d, { maxComponents: 3 }).filter((m) => m.components.length >= 2), point(d)))])(
    'negative control: a mixture with its first component dropped has a different score',
    ([mix, x]) => {
      const w = Array.from(mix.weights.subarray(1));
      const z = w.reduce((a, b) => a + b, 0);
      const dropped = new GaussianMixture(w.map((v) => v / z), mix.components.slice(1));
      const r = mix.responsibilities(x)[0];
      fc.pre(r > 1e-6 && r < 1 - 1e-6);
      const a = mix.scoreInto(x, new Float64Array(mix.dim)), b = reference(dropped, x);
      const base = mix.components[0].score(x);
      // they coincide only if component 0's score equals the mixture's at x
      fc.pre(!close(base, b));
      expect(close(a, b)).toBe(false);
    },
  );
});
