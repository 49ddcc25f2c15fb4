import type { Vector } from '../linalg/index.ts';
import type { NoiseLevel } from './noiseLevel.ts';

/** What a network outputs (MATH.md §1, "Parameterizations"). */
export type Parameterization = 'score' | 'eps' | 'x0' | 'v';

/**
 * Converts a score ŝ at x into the requested output:
 * ε̂ = −s ŝ;  x̂₀ = (x + s² ŝ)/a (Tweedie);  v̂ = a ε̂ − s x̂₀ (VP velocity).
 */
export function fromScore(kind: Parameterization, score: ArrayLike<number>, x: ArrayLike<number>, level: NoiseLevel): Vector {
  const { a, s } = level;
  const d = score.length;
  const out = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    const eps = -s * score[i];
    const x0 = (x[i] + s * s * score[i]) / a;
    out[i] = kind === 'score' ? score[i] : kind === 'eps' ? eps : kind === 'x0' ? x0 : a * eps - s * x0;
  }
  return out;
}

/**
 * The inverse: a network output in `kind` back to a score.
 * From v: with a² + s² = 1 (VP), x̂₀ = a x − s v̂ and ε̂ = s x + a v̂; in general
 * solve v = a ε − s x₀ and x = a x₀ + s ε: ε = (s x + a v)/(a² + s²).
 */
export function toScore(kind: Parameterization, output: ArrayLike<number>, x: ArrayLike<number>, level: NoiseLevel): Vector {
  const { a, s } = level;
  const d = output.length;
  const out = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let eps: number;
    if (kind === 'score') {
      out[i] = output[i];
      continue;
    } else if (kind === 'eps') eps = output[i];
    else if (kind === 'x0') eps = (x[i] - a * output[i]) / s;
    else eps = (s * x[i] + a * output[i]) / (a * a + s * s);
    out[i] = -eps / s;
  }
  return out;
}
