import type { Figure } from '../../engine/figure.ts';
import { Gaussian } from '../../gaussian/gaussian.ts';
import { scale } from '../../linalg/index.ts';
import { type FlowPathSpec, flowCoefficients } from '../../theory/flowPath.ts';
import { distillationCfm, distillationFm, rayInput } from '../../theory/flowDistillation.ts';
import { flowConstant } from '../../theory/flowMatchingGaussian.ts';
import { flowInputBiasGap } from '../../theory/flowInputBias.ts';
import { pathNoiseLevel, velocityScoreCoefficients } from '../../theory/flowScoreLink.ts';
import { vincentConstant } from '../../theory/vincent.ts';
import { DEFAULT_DATA, DEFAULT_ENCODERS } from '../xu2025/figures.ts';

/** Times of the figures: 0..1 in steps of 1/100. */
const TIMES = Array.from({ length: 101 }, (_, i) => i / 100);

const PATHS: readonly { name: string; path: FlowPathSpec }[] = [
  { name: 'rectified flow', path: { kind: 'rectified' } },
  { name: 'Lipman OT, σ_min = 0.01 (time reversed: 1 − t)', path: { kind: 'ot', sigmaMin: 0.01 } },
  { name: 'Tong I-CFM, σ = 0.2 (time reversed: 1 − t)', path: { kind: 'icfm', sigma: 0.2 } },
];

/** The noise-side time of a path (t for rectified flow, 1 − t for the data-at-1 paths), so curves share an axis. */
function noiseTime(p: FlowPathSpec, tau: number): number {
  return p.kind === 'rectified' ? tau : 1 - tau;
}

/** C_t = CFM − FM against the noise level, three paths, and the DSM constant in velocity units β²C_t^DSM. */
export function flowConstantFigure(): Figure {
  const rf: FlowPathSpec = { kind: 'rectified' };
  return {
    id: 'lipman2023-constant-over-t',
    title: 'CFM − FM against the noise level: the θ-independent constant C_t',
    xLabel: 'noise level (t on the rectified path)',
    yLabel: 'CFM − FM',
    series: [
      ...PATHS.map(({ name, path }) => ({ name, points: TIMES.map((tau) => [tau, flowConstant(DEFAULT_DATA, flowCoefficients(path, noiseTime(path, tau)))] as const) })),
      {
        name: 'β_t² × DSM constant (rectified flow, via the score link)', style: 'points' as const,
        points: TIMES.filter((t) => t > 0 && t < 1).filter((_, i) => i % 5 === 0).map((t) => {
          const co = flowCoefficients(rf, t);
          const { beta } = velocityScoreCoefficients(co);
          return [t, beta * beta * vincentConstant(DEFAULT_DATA, pathNoiseLevel(co))] as const;
        }),
      },
    ],
    caption: 'Data N(μ, Σ), d = 3 (tr Σ = 3.5). On the rectified path C_t = Σ_i λ_i/((1 − t)²λ_i + t²): d at the data end, tr Σ at the noise end — bounded, unlike the DSM constant, which β_t² = t²/(1 − t)² maps onto it point by point. I-CFM adds d·σ²/((1 − t)² + σ²) that x₀ and x_t do not determine.',
  };
}

/** The flow input-bias gap G_t against t for a weak and a strong encoder, and the unconditional C_t. */
export function flowInputBiasFigure(): Figure {
  const rf: FlowPathSpec = { kind: 'rectified' };
  return {
    id: 'lipman2023-input-bias-over-t',
    title: 'Optimizing the conditioning through CFM: CFM − FM = E tr Cov(u_t | x_t, c) depends on the encoder',
    xLabel: 't (rectified flow)',
    yLabel: 'CFM − FM',
    series: [
      { name: 'unconditional C_t', points: TIMES.map((t) => [t, flowConstant(DEFAULT_DATA, flowCoefficients(rf, t))] as const) },
      ...DEFAULT_ENCODERS.map(({ name, enc }) => ({ name: `conditional, ${name}`, points: TIMES.map((t) => [t, flowInputBiasGap(DEFAULT_DATA, enc, flowCoefficients(rf, t))] as const) })),
    ],
    caption: 'The more informative the encoder, the smaller the gap: descending CFM in the encoder rewards information beyond FM (a larger conditional velocity norm E‖v*(x_t|c)‖² = E‖u_t‖² − gap). At t = 0 (x_t = x₀) every encoder gives the gap d: no bias there.',
  };
}

/** CFM and FM along the variance ray Σ_φ = ρΣ* with the frozen exact velocity, t = 0.5. */
export function flowDistillationFigure(): Figure {
  const target = new Gaussian(DEFAULT_DATA.mean, scale(DEFAULT_DATA.cov, 1), 'target');
  const co = flowCoefficients({ kind: 'rectified' }, 0.5);
  const rhos = Array.from({ length: 120 }, (_, i) => 0.025 * (i + 1));
  return {
    id: 'lipman2023-distillation-landscape',
    title: 'Optimizing the data distribution through CFM with a frozen velocity: CFM and FM over the input variance',
    xLabel: 'ρ (input N(μ*, ρΣ*))',
    yLabel: 'objective',
    series: [
      { name: 'CFM(ρ)', points: rhos.map((r) => [r, distillationCfm(target, rayInput(target, r), co)] as const) },
      { name: 'FM(ρ)', points: rhos.map((r) => [r, distillationFm(target, rayInput(target, r), co)] as const) },
    ],
    markers: [{ x: 1, label: 'target (FM minimizer)' }],
    caption: 'Rectified flow, t = 0.5, target N(μ*, Σ*) of the other figures, frozen exact marginal velocity. FM is minimized at the target; CFM keeps decreasing towards the collapsed input (ρ → 0): the DreamFusion/SDS collapse of Xu 2025 in flow-matching form.',
  };
}

/** The CFM-optimal encoder's velocity-norm gain over the FM-optimal one against t, for the two default encoders. */
export function flowBiasDirectionFigure(gainAt: (enc: (typeof DEFAULT_ENCODERS)[number]['enc'], t: number) => number): Figure {
  const ts = TIMES.filter((t) => t > 0 && t < 1);
  return {
    id: 'lipman2023-bias-direction-over-t',
    title: 'Optimizing the conditioning through CFM raises the conditional velocity norm: β_t²(N(E_CFM) − N(E_FM)) against t',
    xLabel: 't (rectified flow)',
    yLabel: 'velocity-norm gain E‖v*(x_t|c)‖²',
    series: DEFAULT_ENCODERS.map(({ name, enc }) => ({ name: `reference = ${name}`, points: ts.map((t) => [t, gainAt(enc, t)] as const) })),
    caption: 'Frozen model = the exact conditional velocity of the reference encoder; the CFM-optimal encoder (Xu\'s DSM-optimal one, since CFM = β_t²·DSM) has a strictly higher velocity norm at every t ∈ (0, 1); at t = 0 the model ignores c and the gain is 0.',
  };
}

/** I-CFM's constant C_t = CFM − FM against t for several σ (σ = 0 is the rectified path read with data at 1). */
export function icfmConstantFigure(): Figure {
  return {
    id: 'tong2023-icfm-constant-over-t',
    title: 'I-CFM: CFM − FM against t for σ ∈ {0, 0.1, 0.3, 1}',
    xLabel: 't (data at t = 1)',
    yLabel: 'CFM − FM',
    series: [0, 0.1, 0.3, 1].map((sigma) => ({ name: `σ = ${sigma}`, points: TIMES.map((t) => [t, flowConstant(DEFAULT_DATA, flowCoefficients({ kind: 'icfm', sigma }, t))] as const) })),
    caption: 'Data N(μ, Σ), d = 3, source N(0, I) independent. The constant does not depend on θ (Theorem 3.2: same gradients); a larger σ raises it — the target x₁ − x₀ conditions on (x₀, x₁), which x_t determines less the more noise σξ it carries (MATH.md §19.4).',
  };
}

