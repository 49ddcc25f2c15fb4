import type { Expected } from '../../trainingOracle.ts';

/** The worst entry of got against expected ± tolerance, over several rows. */
export interface ExpectedComparison {
  readonly ok: boolean;
  readonly maxError: number;
  readonly tolerance: number;
  /** [row, entry] of the largest error-to-tolerance ratio. */
  readonly at: [number, number];
  /** log10 of the largest error-to-tolerance ratio (> 0 fails), clamped to [−20, 20]. */
  readonly margin: number;
}

export function compareExpected(got: readonly ArrayLike<number>[], expected: readonly Expected[]): ExpectedComparison {
  let worst = -Infinity, at: [number, number] = [0, 0], maxError = 0, tolerance = 0;
  expected.forEach((e, r) => {
    for (let i = 0; i < e.value.length; i++) {
      const err = Math.abs(got[r][i] - e.value[i]);
      const ratio = err === 0 ? -Infinity : e.tolerance[i] > 0 ? Math.log10(err / e.tolerance[i]) : Infinity;
      if (ratio > worst || (worst === -Infinity && r === 0 && i === 0)) {
        worst = ratio;
        at = [r, i];
        maxError = err;
        tolerance = e.tolerance[i];
      }
    }
  });
  // The engine wants a finite margin: exact agreement and an infinite ratio are clamped to ∓20 decades.
  return { ok: !(worst > 0), maxError, tolerance, at, margin: Math.max(-20, Math.min(20, worst)) };
}
