import fc from 'fast-check';
import { type Matrix, zeros } from '../linalg/index.ts';
import { simpleDouble } from './boundedDouble.ts';
import { log10Exponent } from './logScale.ts';
import { rotation } from './rotation.ts';

export interface SpdMatrixConstraints {
  /** Largest condition number λ_max/λ_min (default 1e4). */
  readonly maxConditionNumber?: number;
  /** log10 of the eigenvalues' centre lies in [−centreRange, centreRange] (default 1). */
  readonly centreRange?: number;
  /**
   * Instead of centre and spread: each eigenvalue 10^u, u on a quarter-decade grid over [lo, hi]
   * (independent integer choices, so "all at the smallest", "all at the largest" and the largest
   * condition number 10^(hi−lo) are corners). maxConditionNumber and centreRange are then ignored.
   */
  readonly eigenLog10?: readonly [number, number];
}

/**
 * Σ = Q diag(λ) Qᵀ with λ_i = 10^{c + spread_i}, spread_i ∈ [−½ log10 κ, ½ log10 κ],
 * so cond(Σ) ≤ κ. Shrinks to the identity: c → 0, spreads → 0, Q → I.
 */
export function spdMatrix(d: number, constraints: SpdMatrixConstraints = {}): fc.Arbitrary<Matrix> {
  if (constraints.eigenLog10) {
    const [lo, hi] = constraints.eigenLog10;
    return fc
      .tuple(fc.array(log10Exponent(lo, hi), { minLength: d, maxLength: d }), rotation(d))
      .map(([us, q]) => fromEigen(q, us.map((u) => 10 ** u)));
  }
  const halfLogK = 0.5 * Math.log10(constraints.maxConditionNumber ?? 1e4);
  const centre = constraints.centreRange ?? 1;
  return fc
    .tuple(
      simpleDouble(-centre, centre, 2),
      fc.array(simpleDouble(-halfLogK, halfLogK, 2), { minLength: d, maxLength: d }),
      rotation(d),
    )
    .map(([c, spreads, q]) => fromEigen(q, spreads.map((s) => 10 ** (c + s))));
}

/** Q diag(λ) Qᵀ, exactly symmetric. */
export function fromEigen(q: Matrix, eigenvalues: readonly number[]): Matrix {
  const d = q.rows;
  const out = zeros(d, d);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += q.data[i * d + k] * eigenvalues[k] * q.data[j * d + k];
      out.data[i * d + j] = s;
      out.data[j * d + i] = s;
    }
  }
  return out;
}
