import fc from 'fast-check';
import { type Matrix, identity } from '../linalg/index.ts';
import { simpleDouble } from './boundedDouble.ts';

/**
 * A d×d rotation as a product of Givens rotations G(i, j, θ_ij), one per pair
 * i < j. Angles shrink to 0, so the rotation shrinks to the identity (and
 * covariances built from it to diagonal ones).
 */
export function rotation(d: number): fc.Arbitrary<Matrix> {
  const pairs = (d * (d - 1)) / 2;
  return fc.array(simpleDouble(-Math.PI, Math.PI), { minLength: pairs, maxLength: pairs }).map((angles) => givensProduct(d, angles));
}

export function givensProduct(d: number, angles: readonly number[]): Matrix {
  const q = identity(d);
  const Q = q.data;
  let k = 0;
  for (let i = 0; i < d; i++) {
    for (let j = i + 1; j < d; j++) {
      const th = angles[k++];
      if (th === 0) continue;
      const c = Math.cos(th), s = Math.sin(th);
      // Q ← Q G, G acting on columns i and j.
      for (let r = 0; r < d; r++) {
        const qi = Q[r * d + i], qj = Q[r * d + j];
        Q[r * d + i] = c * qi - s * qj;
        Q[r * d + j] = s * qi + c * qj;
      }
    }
  }
  return q;
}
