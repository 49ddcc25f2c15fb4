import { describe, expect, test } from 'vitest';
import { type Parameterization, fromScore, toScore } from './parameterization.ts';

/** Per-sample identities: with x = a x_0 + s ε, the true score of q(x|x_0) is −ε/s (MATH.md §1). */
const kinds: Parameterization[] = ['score', 'eps', 'x0', 'v'];
const near = (got: ArrayLike<number>, want: readonly number[], tol = 1e-12) =>
  want.forEach((w, i) => expect(Math.abs(got[i] - w)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(w))));

describe('parameterizations: score ↔ ε, x_0, v', () => {
  for (const level of [{ a: 0.6, s: 0.8 }, { a: 1, s: 2.5 }]) {
    const x0 = [1.5, -0.25], eps = [-0.7, 2];
    const x = x0.map((v, i) => level.a * v + level.s * eps[i]);
    const score = eps.map((e) => -e / level.s);
    const v = eps.map((e, i) => level.a * e - level.s * x0[i]);
    const want: Record<Parameterization, number[]> = { score, eps, x0, v };

    test(`a = ${level.a}, s = ${level.s}: fromScore gives ε, x_0, v of the draw; toScore inverts each`, () => {
      for (const k of kinds) {
        near(fromScore(k, score, x, level), want[k]);
        near(toScore(k, want[k], x, level), score);
      }
    });
  }
});
