import { icfmPath } from '../../arbitraries/flowPath.ts';
import type { Claim } from '../claim.ts';
import { RELATIVE_TOLERANCE } from '../xu2025/shared.ts';
import { type FlowIdentityCase, checkFlowIdentity, flowIdentityCases } from '../lipman2023/cfm.ts';
import { icfmConstantFigure } from '../lipman2023/figures.ts';
import { type LinkCase, checkLink, linkCases } from '../lipman2023/link.ts';

/*
 * Tong et al. 2023 ("Improving and generalizing flow-based generative models with minibatch optimal
 * transport"): independent CFM, x_t = t x₁ + (1 − t)x₀ + σξ with x₀ ~ N(0, I) independent of x₁,
 * target u_t = x₁ − x₀ (MATH.md §19.1, §19.4).
 */
export const icfmPerTime: Claim<FlowIdentityCase> = {
  id: 'tong2023.cfm.per-time',
  source: 'tong2023',
  section: 'Theorem 3.2; I-CFM (§3.2.2)',
  statement:
    '"If p_t(x) > 0 for all x ∈ ℝ^d and t ∈ [0, 1], then, up to a constant independent of θ, L_CFM and L_FM are equal, and hence ∇_θ L_FM(θ) = ∇_θ L_CFM(θ)." (Theorem 3.2) — for I-CFM: q(z) = q(x₀)q(x₁), μ_t(z) = tx₁ + (1 − t)x₀, σ_t(z) = σ.',
  assumptions: ['x₁ ~ N(μ, Σ), d ≤ 6, cond(Σ) ≤ 1e3; source x₀ ~ N(0, I) independent (the independent coupling)', 'σ ∈ [0, 1] (0 and 1 are corners), t on [0, 1] with its ends', 'two affine velocity models per case, CFM and FM in closed form by independent routes', `relative tolerance ${RELATIVE_TOLERANCE} of max(|CFM|, |FM|, C_t)`],
  expected: 'holds',
  defaultRuns: 100,
  assertionsPerCase: 0,
  cases: () => flowIdentityCases(icfmPath()),
  check: (c) => checkFlowIdentity(c),
  figures: () => [icfmConstantFigure()],
};

export const icfmIsGaussianPathCfm: Claim<LinkCase> = {
  id: 'tong2023.cfm.icfm-is-gaussian-path-cfm',
  source: 'tong2023',
  section: '§3.2.2 (I-CFM)',
  statement:
    'Read as "I-CFM is conditional flow matching on its Gaussian path p_t(x|x₁) = N(tx₁, ((1 − t)² + σ²)I)": the I-CFM loss of v = αx + βs_θ equals that path\'s CFM loss β_t²·DSM_t(s_θ). With σ > 0 it does not: its target conditions on (x₀, x₁), and the loss carries the extra constant d·σ²/((1 − t)² + σ²) (same gradients, another constant; MATH.md §19.4).',
  assumptions: ['x₁ ~ N(μ, Σ), d ≤ 5, cond(Σ) ≤ 1e3', 'σ ∈ [0, 1], t ∈ [0.001, 0.999]', 'affine s_θ; the loss equality read to relative 1e-9'],
  expected: 'refuted',
  defaultRuns: 100,
  assertionsPerCase: 0,
  cases: () => linkCases(icfmPath()),
  check: checkLink,
};

export const tong2023Claims: readonly Claim[] = [icfmPerTime, icfmIsGaussianPathCfm];
