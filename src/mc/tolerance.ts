import { normalQuantile } from './normalQuantile.ts';
import { studentCritical } from './studentT.ts';

/**
 * Two-sided tolerance for a sample mean of n iid draws with per-draw variance
 * `variance`: |mean − truth| ≤ z_{1−α/2} · sqrt(variance / n) fails with
 * probability α when the claim holds (CLT). Use the exact variance where a
 * closed form exists (MATH.md §1: Var‖Lz+l‖² = 2 tr(P²) + 4 uᵀPu).
 */
export function meanTolerance(variance: number, n: number, falseAlarm: number): number {
  if (!(variance >= 0) || !Number.isFinite(variance)) throw new RangeError(`meanTolerance: variance must be finite and ≥ 0, got ${variance}`);
  if (!(n >= 1)) throw new RangeError(`meanTolerance: n must be ≥ 1, got ${n}`);
  return criticalZ(falseAlarm) * Math.sqrt(variance / n);
}

/**
 * z_{1−α/2}: the two-sided critical value for false-alarm probability α, as −Φ⁻¹(α/2) (1 − α/2 would
 * round α/2 to a multiple of 2⁻⁵³: a relative error 2.2e-16/(α/2) in the tail, 4e-7 at α = 1e-9).
 */
export function criticalZ(falseAlarm: number): number {
  if (!(falseAlarm > 0 && falseAlarm < 1)) throw new RangeError(`criticalZ: false-alarm probability must lie in (0, 1), got ${falseAlarm}`);
  return -normalQuantile(falseAlarm / 2);
}

/**
 * Sample size n so that a two-sided test with false-alarm α detects a shift of
 * `discrepancy` with power 1 − β: n = ((z_{1−α/2} + z_{1−β}) σ / δ)².
 * (The TFP-style "smallest detectable discrepancy" turned around.)
 */
export function sampleSizeFor(variance: number, discrepancy: number, falseAlarm: number, missRate = 0.01): number {
  const z = criticalZ(falseAlarm) + normalQuantile(1 - missRate);
  return Math.ceil((z * z * variance) / (discrepancy * discrepancy));
}

/** Smallest shift detectable with power 1 − β at n samples. */
export function detectableDiscrepancy(variance: number, n: number, falseAlarm: number, missRate = 0.01): number {
  return (criticalZ(falseAlarm) + normalQuantile(1 - missRate)) * Math.sqrt(variance / n);
}

/** z-score of an observed mean against the truth. */
export function zScore(mean: number, truth: number, stderr: number): number {
  if (stderr === 0) return mean === truth ? 0 : Infinity;
  return (mean - truth) / stderr;
}

/**
 * t_{ν, 1−α/2}: the two-sided critical value when the standard error is itself estimated
 * from ν degrees of freedom. Exact (inverse of the incomplete-beta tail, src/mc/studentT.ts;
 * MATH.md §20.1) for ν ≤ 1e5; above that the Cornish–Fisher expansion of Student's t about z
 * (three terms; its truncation error O(z⁹/ν⁴) is below 1e-15 there). Always ≥ criticalZ(α).
 * (Before 2026-12: Cornish–Fisher at every ν, whose real two-sided tail at ν = 4 was 4.9·α at
 * α = 1e-6 and 70·α at α = 1e-9.)
 */
export function criticalT(falseAlarm: number, dof: number): number {
  if (!(dof >= 1) || !Number.isFinite(dof)) throw new RangeError(`criticalT: degrees of freedom must be finite and ≥ 1, got ${dof}`);
  const z = criticalZ(falseAlarm);
  if (dof <= CORNISH_FISHER_FROM) return studentCritical(falseAlarm, dof, z);
  return cornishFisherT(z, dof);
}

/** Degrees of freedom above which criticalT uses the Cornish–Fisher expansion. */
const CORNISH_FISHER_FROM = 1e5;

/** Cornish–Fisher expansion of t_{ν, 1−α/2} about z = z_{1−α/2}, three terms (A&S 26.7.5). */
function cornishFisherT(z: number, dof: number): number {
  const z2 = z * z, z3 = z2 * z, z5 = z3 * z2, z7 = z5 * z2;
  const g1 = (z3 + z) / 4;
  const g2 = (5 * z5 + 16 * z3 + 3 * z) / 96;
  const g3 = (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / 384;
  return z + g1 / dof + g2 / dof ** 2 + g3 / dof ** 3;
}
