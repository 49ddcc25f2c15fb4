import type { FlowPathSpec } from '../../../theory/flowPath.ts';
import type { FlowNetwork, FlowObjective, FlowSample } from '../../../theory/flowTrainingLoss.ts';
import { FLOW_LOSS_WEIGHTINGS } from '../../../theory/flowTrainingLoss.ts';
import type { Expected } from '../../trainingOracle.ts';
import type { SubjectPrecision } from '../../roundingTolerance.ts';
import { compareExpected } from '../training/compareExpected.ts';

/*
 * Naming the bug: when a flow check fails, the subject's numbers are compared with the same
 * computation under the mistakes real flow-matching code makes (a time convention reversed, the
 * velocity's sign, a weighting or reduction swapped, the network fed t instead of 1000·t, data and noise
 * swapped). A diagnosis, not a verdict: a variant is named when it explains every number within its
 * tolerance, or is ≥ 1000× closer than the declared computation.
 */
export interface FlowVariant {
  readonly label: string;
  readonly path?: FlowPathSpec;
  readonly objective?: Partial<FlowObjective>;
  readonly sample?: (s: FlowSample) => FlowSample;
  /** The network's output negated (W, b → −W, −b). */
  readonly negateOutput?: boolean;
  readonly batchReduction?: 'mean' | 'sum';
}

const reversed = (s: FlowSample): FlowSample => ({ ...s, t: 1 - s.t });
const swapped = (s: FlowSample): FlowSample => ({ ...s, x0: s.noise, noise: s.x0 });

/** Variants of the interpolation x_t. */
export function interpolationVariants(path: FlowPathSpec): FlowVariant[] {
  const out: FlowVariant[] = [
    { label: 't replaced by 1 − t (the other end of the path is the noise)', sample: reversed },
    { label: 'data and noise swapped', sample: swapped },
  ];
  if (path.kind === 'ot' && path.sigmaMin > 0) out.push({ label: 'σ_min ignored (x_t = t x₁ + (1 − t)ε)', path: { kind: 'ot', sigmaMin: 0 } });
  if (path.kind === 'icfm' && path.sigma > 0) out.push({ label: 'the extra noise σξ left out', path: { kind: 'icfm', sigma: 0 } });
  if (path.kind !== 'rectified') out.push({ label: 'the rectified-flow convention x_t = (1 − t)x₀ + tε', path: { kind: 'rectified' } });
  return out;
}

/** Variants of a loss (and of its gradient, with the batch reduction). */
export function lossVariants(obj: FlowObjective, batchReduction?: 'mean' | 'sum'): FlowVariant[] {
  const sign = obj.prediction === obj.target
    ? obj.target === 'velocity' ? 'the target x₀ − ε (the velocity\'s sign flipped)' : `the ${obj.target} target with its sign flipped`
    : `the output's sign flipped in the conversion (e.g. x̂₀ = x_t + σF where x_t − σF belongs)`;
  const out: FlowVariant[] = [
    { label: sign, negateOutput: true },
    { label: 't replaced by 1 − t (the time convention reversed)', sample: reversed },
    { label: 'data and noise swapped', sample: swapped },
    ...FLOW_LOSS_WEIGHTINGS.filter((k) => k !== obj.weighting.kind).map((k) => ({ label: `the weighting "${k}" (declared "${obj.weighting.kind}")`, objective: { weighting: { kind: k } } as Partial<FlowObjective> })),
    { label: `the other reduction over coordinates (${obj.reduction === 'mean' ? 'sum' : 'mean'})`, objective: { reduction: obj.reduction === 'mean' ? 'sum' : 'mean' } },
  ];
  if (obj.timeScale !== 1) out.push({ label: `the network fed t instead of ${obj.timeScale}·t`, objective: { timeScale: 1 } });
  else out.push({ label: 'the network fed 1000·t instead of t', objective: { timeScale: 1000 } });
  if (obj.prediction !== obj.target) out.push({ label: `the raw ${obj.prediction} output regressed on the ${obj.target} (no conversion)`, objective: { prediction: obj.target } });
  if (batchReduction) out.push({ label: `the other batch reduction (${batchReduction === 'mean' ? 'sum' : 'mean'})`, batchReduction: batchReduction === 'mean' ? 'sum' : 'mean' });
  return out;
}

export function negated(net: FlowNetwork): FlowNetwork {
  const neg = (m: readonly (readonly number[])[]) => m.map((r) => r.map((v) => -v));
  return { W: neg(net.W), b: net.b.map((v) => -v), ...(net.W_time ? { W_time: neg(net.W_time), b_time: net.b_time!.map((v) => -v) } : {}) };
}

/** The first variant that explains `got` (within its tolerance, or ≥ 1000× closer than the declared computation). */
export function explainingVariant(
  variants: readonly FlowVariant[], got: readonly ArrayLike<number>[], declared: readonly Expected[],
  evaluate: (v: FlowVariant) => Expected[] | undefined,
): string | undefined {
  const err = (e: readonly Expected[]) => e.reduce((m, x, r) => Math.max(m, ...Array.from(x.value, (v, i) => Math.abs(got[r][i] - v))), 0);
  const declaredError = err(declared);
  const scored = variants.flatMap((v) => {
    let e: Expected[] | undefined;
    try {
      e = evaluate(v);
    } catch {
      return [];
    }
    if (!e) return [];
    return [{ label: v.label, within: compareExpected(got, e).ok, error: err(e) }];
  }).sort((a, b) => a.error - b.error);
  return scored.find((v) => v.within || v.error * 1000 <= declaredError)?.label;
}

/**
 * A failure at the declared float64 precision that float32 arithmetic explains is reported as rounding,
 * not as a bug (MATH.md §7.1): the note tells the user to declare the precision.
 */
export function float32Explains(declared: SubjectPrecision, got: readonly ArrayLike<number>[], evaluate: (p: SubjectPrecision) => Expected[]): string | undefined {
  if (declared.tensors !== 'float64') return undefined;
  if (!compareExpected(got, evaluate({ tensors: 'float32', coefficients: 'float32' })).ok) return undefined;
  return 'the error is consistent with float32 arithmetic (not with the declared float64): declare "precision": "float32" in hello if your tensors are float32';
}
