import fc from 'fast-check';
import { gaussian } from '../../arbitraries/gaussian.ts';
import { noiseLevelArb } from '../../arbitraries/schedule.ts';
import type { NoiseLevel } from '../../diffusion/noiseLevel.ts';
import { InvalidArgumentError } from '../../errors.ts';
import type { Gaussian } from '../../gaussian/gaussian.ts';
import { addScaledIdentity, scale, spdTraceInverse } from '../../linalg/index.ts';
import type { Verdict } from '../../engine/verdict.ts';
import type { Claim } from '../claim.ts';

/** A negative control: a claim that is deliberately wrong, with the verdict `verify` must give it. */
export interface ControlClaim<Case = any> extends Claim<Case> {
  readonly mustBe: Verdict;
}

/**
 * Negative controls for the runner (not part of the registry; ids `control.selftest.*`, this file by the
 * layout rule `src/claims/<source>/<family>.ts`). `verify --controls` is a self-test:
 * it runs only the controls and passes exactly when each gets its `mustBe` verdict;
 * `verify --claim <control id>` runs one like any claim (and reports it as unexpected).
 */

interface FisherCase {
  readonly data: Gaussian;
  readonly level: NoiseLevel;
}

const fisherCases = () => fc.record({ data: gaussian({ maxDim: 4 }), level: noiseLevelArb() });

/** tr(Σ_t⁻¹), Σ_t = a²Σ + s²I (MATH.md §1): the Fisher information of q_t. */
function fisherInformation({ data, level }: FisherCase): number {
  return spdTraceInverse(addScaledIdentity(scale(data.cov, level.a * level.a), level.s * level.s), 'Σ_t');
}

/** Deliberately wrong closed form: d/(a² + s²) is the Fisher information only when Σ = I. */
export const brokenFisherControl: ControlClaim<FisherCase> = {
  mustBe: 'counterexample',
  id: 'control.selftest.broken-fisher',
  source: 'control',
  statement: 'NEGATIVE CONTROL (deliberately wrong): E‖∇log q_t‖² = d/(a²+s²) for every Gaussian data distribution.',
  assumptions: ['x_0 ~ N(μ, Σ), d ≤ 4', 'true only for Σ = I: verify must find a counterexample'],
  expected: 'holds',
  defaultRuns: 100,
  assertionsPerCase: 0,
  cases: fisherCases,
  check(c) {
    const exact = fisherInformation(c);
    const claimed = c.data.dim / (c.level.a ** 2 + c.level.s ** 2);
    const maxError = Math.abs(claimed - exact) / Math.abs(exact);
    const tolerance = 1e-9;
    return { holds: maxError <= tolerance, maxError, tolerance, quantities: { 'tr(Σ_t⁻¹)': exact, 'd/(a²+s²)': claimed } };
  },
  describeCase: (c) => ({ d: c.data.dim, mean: Array.from(c.data.mean), cov: c.data.cov, a: c.level.a, s: c.level.s }),
};

/** A check that throws on d ≥ 3: `verify` must report `error` (not crash) and shrink to d = 3. */
export const throwingCheckControl: ControlClaim<FisherCase> = {
  mustBe: 'error',
  id: 'control.selftest.throwing-check',
  source: 'control',
  statement: 'NEGATIVE CONTROL (deliberately broken): a check that throws for d ≥ 3.',
  assumptions: ['x_0 ~ N(μ, Σ), d ≤ 4'],
  expected: 'holds',
  defaultRuns: 100,
  assertionsPerCase: 0,
  cases: fisherCases,
  check(c) {
    if (c.data.dim >= 3) throw new InvalidArgumentError('control.dim', c.data.dim, 'this control refuses d ≥ 3');
    const f = fisherInformation(c);
    return { holds: f > 0, maxError: 0, tolerance: 1e-9 };
  },
  describeCase: (c) => ({ d: c.data.dim, a: c.level.a, s: c.level.s }),
};

export const controlClaims: readonly ControlClaim[] = [brokenFisherControl, throwingCheckControl];
