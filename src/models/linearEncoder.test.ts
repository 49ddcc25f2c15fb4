import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { forEachStandardNormalNode } from '../../properties/support/gaussianQuadrature.ts';
import { gaussianOfDim, linearEncoder } from '../arbitraries/index.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { cholesky } from '../linalg/index.ts';
import { type LinearEncoder, encoderJointGaussian } from './linearEncoder.ts';

/*
 * encoderJointGaussian: the law of (x₀, c), c = B x₀ + b + τξ, against its first two moments computed by
 * Gauss–Hermite quadrature over (x₀, ξ) — exact for these degree-2 moments — from the encoder as it is applied.
 */
function jointByQuadrature(data: Gaussian, enc: LinearEncoder) {
  const d = data.dim, k = enc.B.rows, n = d + k, L = cholesky(data.cov);
  const mean = new Float64Array(n), second = new Float64Array(n * n), z = new Float64Array(n);
  forEachStandardNormalNode(d + k, (g, w) => {
    for (let i = 0; i < d; i++) { z[i] = data.mean[i]; for (let j = 0; j <= i; j++) z[i] += L.data[i * d + j] * g[j]; }
    for (let q = 0; q < k; q++) { z[d + q] = enc.b[q] + enc.tau * g[d + q]; for (let j = 0; j < d; j++) z[d + q] += enc.B.data[q * d + j] * z[j]; }
    for (let i = 0; i < n; i++) { mean[i] += w * z[i]; for (let j = 0; j < n; j++) second[i * n + j] += w * z[i] * z[j]; }
  });
  return { mean, cov: second.map((v, idx) => v - mean[Math.floor(idx / n)] * mean[idx % n]) };
}

const caseArb = fc.integer({ min: 1, max: 3 }).chain((d) => fc.tuple(gaussianOfDim(d, { maxConditionNumber: 50, meanBound: 2 }), linearEncoder(d)));

/** Exact up to rounding: 1e−12 of the largest second moment. */
function matches(joint: Gaussian, q: { mean: Float64Array; cov: Float64Array }): boolean {
  const scale = Math.max(1, ...q.cov.map(Math.abs), ...q.mean.map((m) => m * m));
  return joint.mean.every((m, i) => Math.abs(m - q.mean[i]) <= 1e-12 * Math.sqrt(scale)) && joint.cov.data.every((c, i) => Math.abs(c - q.cov[i]) <= 1e-12 * scale);
}

describe('encoderJointGaussian against quadrature moments of (x₀, B x₀ + b + τξ)', () => {
  test.prop([caseArb], { numRuns: 60 })('mean and covariance (all blocks, k ≠ d included)', ([data, enc]) => {
    expect(matches(encoderJointGaussian(data, enc), jointByQuadrature(data, enc))).toBe(true);
  });

  it('negative control: τ in place of τ² on the diagonal, and a zero cross block (c independent of x₀), are rejected', () => {
    const data = new Gaussian(Float64Array.of(0.5, -1), { rows: 2, cols: 2, data: Float64Array.of(2, 0.4, 0.4, 1) });
    const enc: LinearEncoder = { B: { rows: 1, cols: 2, data: Float64Array.of(1, -0.5) }, b: Float64Array.of(0.2), tau: 0.5 };
    const q = jointByQuadrature(data, enc), joint = encoderJointGaussian(data, enc);
    expect(matches(joint, q)).toBe(true);
    const tauNotSquared = Float64Array.from(joint.cov.data);
    tauNotSquared[8] += enc.tau - enc.tau ** 2;
    expect(matches({ ...joint, cov: { ...joint.cov, data: tauNotSquared } } as Gaussian, q)).toBe(false);
    const noCross = Float64Array.from(joint.cov.data, (v, i) => (Math.floor(i / 3) === 2) !== (i % 3 === 2) ? 0 : v);
    expect(matches({ ...joint, cov: { ...joint.cov, data: noCross } } as Gaussian, q)).toBe(false);
  });
});
