import { describe, expect, test } from 'vitest';
import { scriptedRng } from '../../../properties/support/scriptedRng.ts';
import { DimensionMismatchError } from '../../errors.ts';
import { Gaussian } from '../../gaussian/gaussian.ts';
import { fromRows } from '../../linalg/index.ts';
import { mmseNoisePredictor } from '../../theory/mmseNoisePredictor.ts';
import { vpPointAtAlpha } from '../../theory/vpPoint.ts';
import {
  antitheticNormControlDensityIntegrandEstimate, oracleControlDensityIntegrandEstimate, plainDensityIntegrandEstimate, sampleDensityIntegrandTerms,
} from './densityIntegrandTerms.ts';

/*
 * Per-sample identities of the density-formula integrand (MATH.md §3): with ε̂ = ε* (the MMSE
 * predictor of the data) every value IS the oracle, the centered oracle is the oracle minus its
 * mean draw by draw, and ‖z‖² − d is the frame-invariant norm of the scripted normals. The oracle's
 * mean against E‖(s²Σ_α⁻¹ − I) z + a s Σ_α⁻¹ δ‖² with the 2 × 2 inverse by hand.
 */
const data = new Gaussian([0.5, -1], fromRows([[1.5, 0.6], [0.6, 0.8]]));
const x0 = [0.2, 0.4];
const t = vpPointAtAlpha(0.6);
const script = [0.3, -1.2, 0.8, 1.5, -0.4, 0.9, -1.7, 0.2];

describe('density-integrand terms, draw by draw', () => {
  test.each([false, true])('antithetic = %s: values = oracle, centered oracle = oracle − mean, ‖z‖² − d', (antithetic) => {
    const n = 4;
    const r = sampleDensityIntegrandTerms(data, x0, t, mmseNoisePredictor(data), scriptedRng(script), n, { antithetic });
    const { alpha, a, s } = t;
    const Sa = [[alpha * 1.5 + 1 - alpha, alpha * 0.6], [alpha * 0.6, alpha * 0.8 + 1 - alpha]];
    const det = Sa[0][0] * Sa[1][1] - Sa[0][1] ** 2;
    const P = [[Sa[1][1] / det, -Sa[0][1] / det], [-Sa[1][0] / det, Sa[0][0] / det]];
    const delta = [x0[0] - 0.5, x0[1] + 1];
    let fro = 0, lin = 0;
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 2; j++) fro += (s * s * P[i][j] - (i === j ? 1 : 0)) ** 2;
      lin += (a * s * (P[i][0] * delta[0] + P[i][1] * delta[1])) ** 2;
    }
    expect(r.oracleMean).toBeCloseTo(fro + lin, 13);
    expect(r.alpha).toBe(0.6);
    expect(r.antithetic).toBe(antithetic);
    for (let k = 0; k < n; k++) {
      expect(r.values[k]).toBeCloseTo(r.oracle[k], 12);
      expect(r.oracleCentered[k]).toBeCloseTo(r.oracle[k] - r.oracleMean, 12);
      const zf = antithetic ? script.slice(2 * (k >> 1), 2 * (k >> 1) + 2) : script.slice(2 * k, 2 * k + 2);
      expect(r.zNormCentered[k]).toBeCloseTo(zf[0] ** 2 + zf[1] ** 2 - 2, 14);
    }
    // the exact predictor is its own control: no variance left, the mean is the closed form
    const o = oracleControlDensityIntegrandEstimate(r);
    expect(o.mean).toBeCloseTo(r.oracleMean, 11);
    expect(o.variance).toBeLessThan(1e-20);
    expect(plainDensityIntegrandEstimate(r).mean).toBeCloseTo(r.values.reduce((p, v) => p + v, 0) / n, 13);
    if (antithetic) {
      const e = antitheticNormControlDensityIntegrandEstimate(r);
      const pairs = [0, 1].map((k) => 0.5 * (r.values[2 * k] - 0.6 * r.zNormCentered[2 * k] + r.values[2 * k + 1] - 0.6 * r.zNormCentered[2 * k + 1]));
      expect(e.mean).toBeCloseTo((pairs[0] + pairs[1]) / 2, 12);
      expect(e.variance).toBeCloseTo(2 * ((pairs[0] - pairs[1]) ** 2 / 2), 11);
      expect(e.n).toBe(4);
    } else expect(() => antitheticNormControlDensityIntegrandEstimate(r)).toThrow(RangeError);
  });

  test('a predictor off by a constant: on the same draws the oracle column is unchanged, the values are not', () => {
    const exact = mmseNoisePredictor(data), c = [0.1, -0.2];
    const shifted = (x: Float64Array, tt: typeof t) => Array.from(exact(x, tt), (v, i) => v + c[i]);
    const r = sampleDensityIntegrandTerms(data, x0, t, shifted, scriptedRng(script), 2);
    const ex = sampleDensityIntegrandTerms(data, x0, t, exact, scriptedRng(script), 2);
    for (let k = 0; k < 2; k++) expect(r.values[k]).toBeGreaterThan(0);
    // same draws: the oracle columns agree exactly, the values do not
    expect(Array.from(r.oracle)).toEqual(Array.from(ex.oracle));
    expect(Math.abs(r.values[0] - ex.values[0])).toBeGreaterThan(1e-3);
  });

  test('validation: x_0 of the data dimension and finite, n ≥ 2, even n for antithetic pairs', () => {
    const p = mmseNoisePredictor(data);
    expect(() => sampleDensityIntegrandTerms(data, [0], t, p, scriptedRng(script), 2)).toThrow(DimensionMismatchError);
    expect(() => sampleDensityIntegrandTerms(data, [0, Number.NaN], t, p, scriptedRng(script), 2)).toThrow(/x0/);
    expect(() => sampleDensityIntegrandTerms(data, x0, t, p, scriptedRng(script), 1)).toThrow(/^n/);
    expect(() => sampleDensityIntegrandTerms(data, x0, t, p, scriptedRng(script), 3, { antithetic: true })).toThrow(DimensionMismatchError);
  });
});
