import type { ZeroShotScales } from '../../arbitraries/zeroShotCase.ts';
import type { CheckOutcome, Quantity } from '../claim.ts';

/** The scale-free ratios of a case (what the assumptions of the comparisons are stated in). */
export function describeScales(s: ZeroShotScales): Record<string, number> {
  return {
    'β₁': s.beta1,
    'ν²_min = σ_y²/‖H‖²': s.noiseMin2,
    'ν²_max = σ_y²‖H†‖²': s.noiseMax2,
    'λ_min(Σ)': s.priorMin,
    'λ_max(Σ)': s.priorMax,
    '‖ζ‖∞ (residual in evidence units)': s.residual,
  };
}

const SLACK = 1e-9;

/**
 * "a ≤ b" for two non-negative quantities, as the ratio a/b against 1 + SLACK (relative rounding).
 * Two exact zeros are equal (ratio 1: the samplers coincide, e.g. H = 0), never 0/0; the margin is
 * log10(ratio/(1 + SLACK)), continuous where both are positive, ±20 where one of them is 0.
 */
export function ratioAtMost(a: number, b: number, metric: string, quantities: Record<string, Quantity>): CheckOutcome {
  const ratio = a === b ? 1 : b === 0 ? Infinity : a / b;
  const margin = ratio === Infinity ? 20 : ratio === 0 ? -20 : Math.max(-20, Math.min(20, Math.log10(ratio / (1 + SLACK))));
  return { holds: ratio <= 1 + SLACK, maxError: ratio, tolerance: 1 + SLACK, metric, margin, quantities, ...(a === b ? { note: 'equal (the two samplers coincide on this case)' } : {}) };
}
