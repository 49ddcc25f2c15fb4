import { describe, expect, it } from 'vitest';
import type { FlowObjective, FlowSample } from '../../../theory/flowTrainingLoss.ts';
import type { Expected } from '../../trainingOracle.ts';
import { type FlowVariant, explainingVariant, float32Explains, interpolationVariants, lossVariants, negated } from './flowDiagnosis.ts';

/*
 * The flow checks' diagnosis (naming the bug, never deciding the verdict): which variants are offered
 * for a declaration, and which one explains the subject's numbers — within its own tolerance, or at
 * least 1000× closer than the declared computation (the boundary included), the closest first.
 */
const exp = (value: number[], tol = 1e-9): Expected => ({ value: Float64Array.from(value), tolerance: Float64Array.from(value, () => tol) });

describe('explainingVariant', () => {
  const variants: FlowVariant[] = [{ label: 'a' }, { label: 'b' }, { label: 'c' }];
  const got = [[1, 2]];

  it('the closest variant within its tolerance is named, not the first listed', () => {
    const table: Record<string, number[]> = { a: [1 + 1e-10, 2 + 5e-10], b: [1, 2], c: [5, 5] };
    expect(explainingVariant(variants, got, [exp([3, 3])], (v) => [exp(table[v.label])])).toBe('b');
  });

  it('none within tolerance: named only when ≥ 1000× closer than the declared computation (exactly 1000× counts)', () => {
    // Dyadic errors so the boundary is exact: variant error 2⁻¹², declared error 1000·2⁻¹² = 125/512.
    const declared = [exp([1 + 125 / 512, 2])];
    expect(explainingVariant(variants, got, declared, (v) => (v.label === 'a' ? [exp([1 + 2 ** -12, 2])] : [exp([9, 9])]))).toBe('a');
    expect(explainingVariant(variants, got, declared, (v) => (v.label === 'a' ? [exp([1 + 2 ** -12 + 2 ** -30, 2])] : [exp([9, 9])]))).toBeUndefined();
  });

  it('variants that throw or have no answer are skipped; the error is the largest over every row and entry', () => {
    const got2 = [[1, 2], [3, 4]];
    const declared = [exp([1, 2]), exp([3, 4 + 1])];
    const evaluate = (v: FlowVariant) => {
      if (v.label === 'a') throw new Error('cannot run');
      if (v.label === 'b') return undefined;
      return [exp([1, 2]), exp([3, 4 + 2 ** -10])];
    };
    expect(explainingVariant(variants, got2, declared, evaluate)).toBe('c');
    // c's error (2⁻¹⁰, in the second row) is not 1000× below a declared error of 0.5: not named
    expect(explainingVariant(variants, got2, [exp([1, 2]), exp([3, 4.5])], evaluate)).toBeUndefined();
  });
});

describe('interpolationVariants / lossVariants: the mistakes offered for a declaration', () => {
  const labels = (v: FlowVariant[]) => v.map((x) => x.label);

  it('paths: σ_min and the extra noise only when nonzero; the rectified convention only for other paths', () => {
    expect(labels(interpolationVariants({ kind: 'rectified' }))).toHaveLength(2);
    expect(labels(interpolationVariants({ kind: 'ot', sigmaMin: 0.001 }))).toEqual([
      't replaced by 1 − t (the other end of the path is the noise)', 'data and noise swapped',
      'σ_min ignored (x_t = t x₁ + (1 − t)ε)', 'the rectified-flow convention x_t = (1 − t)x₀ + tε',
    ]);
    expect(interpolationVariants({ kind: 'ot', sigmaMin: 0 }).map((v) => v.path)).toEqual([undefined, undefined, { kind: 'rectified' }]);
    const icfm = interpolationVariants({ kind: 'icfm', sigma: 0.2 });
    expect(icfm.map((v) => v.path)).toEqual([undefined, undefined, { kind: 'icfm', sigma: 0 }, { kind: 'rectified' }]);
    expect(interpolationVariants({ kind: 'icfm', sigma: 0 })).toHaveLength(3);
  });

  it('the reversed and swapped samples are t ↦ 1 − t and x₀ ↔ ε', () => {
    const s: FlowSample = { x0: [1, 2], noise: [3, 4], t: 0.25 };
    const [rev, swap] = interpolationVariants({ kind: 'rectified' });
    expect(rev.sample!(s)).toEqual({ x0: [1, 2], noise: [3, 4], t: 0.75 });
    expect(swap.sample!(s)).toEqual({ x0: [3, 4], noise: [1, 2], t: 0.25 });
  });

  const obj = (o: Partial<FlowObjective>): FlowObjective => ({ path: { kind: 'rectified' }, prediction: 'velocity', target: 'velocity', weighting: { kind: 'none' }, reduction: 'mean', timeScale: 1000, ...o });

  it('loss: the sign label follows prediction/target; the weightings not declared; the other reduction; time scale; no-conversion; batch', () => {
    const v = lossVariants(obj({}), 'mean');
    expect(labels(v)).toEqual([
      'the target x₀ − ε (the velocity\'s sign flipped)',
      't replaced by 1 − t (the time convention reversed)',
      'data and noise swapped',
      'the weighting "sigma_sqrt" (declared "none")',
      'the weighting "cosmap" (declared "none")',
      'the other reduction over coordinates (sum)',
      'the network fed t instead of 1000·t',
      'the other batch reduction (sum)',
    ]);
    expect(v[0].negateOutput).toBe(true);
    expect(v[5].objective).toEqual({ reduction: 'sum' });
    expect(v[6].objective).toEqual({ timeScale: 1 });
    expect(v[7].batchReduction).toBe('sum');

    const w = lossVariants(obj({ prediction: 'x0', target: 'x0', reduction: 'sum', timeScale: 1, weighting: { kind: 'cosmap' } }), 'sum');
    expect(labels(w)).toEqual([
      'the x0 target with its sign flipped',
      't replaced by 1 − t (the time convention reversed)',
      'data and noise swapped',
      'the weighting "none" (declared "cosmap")',
      'the weighting "sigma_sqrt" (declared "cosmap")',
      'the other reduction over coordinates (mean)',
      'the network fed 1000·t instead of t',
      'the other batch reduction (mean)',
    ]);
    expect(w[6].objective).toEqual({ timeScale: 1000 });
    expect(w[7].batchReduction).toBe('mean');

    const x = lossVariants(obj({ prediction: 'eps', target: 'velocity' }));
    expect(x[0].label).toBe('the output\'s sign flipped in the conversion (e.g. x̂₀ = x_t + σF where x_t − σF belongs)');
    expect(x[x.length - 1]).toEqual({ label: 'the raw eps output regressed on the velocity (no conversion)', objective: { prediction: 'velocity' } });
    expect(labels(x).some((l) => l.includes('batch'))).toBe(false);
  });

  it('negated: every weight and bias of both heads negated; a time-free network stays time-free', () => {
    expect(negated({ W: [[1, -2]], b: [3] })).toEqual({ W: [[-1, 2]], b: [-3] });
    expect(negated({ W: [[1]], b: [2], W_time: [[0.5]], b_time: [-4] })).toEqual({ W: [[-1]], b: [-2], W_time: [[-0.5]], b_time: [4] });
  });
});

describe('float32Explains', () => {
  const got = [[1 + 1e-7]];
  const evaluate = (p: { tensors: string }) => [p.tensors === 'float32' ? exp([1], 1e-6) : exp([1], 1e-15)];
  it('declared float64 and the float32 oracle explains: the note asks to declare float32', () => {
    expect(float32Explains({ tensors: 'float64', coefficients: 'float64' }, got, evaluate as never)).toMatch(/declare "precision": "float32"/);
  });
  it('declared float32 already, or float32 does not explain: no note', () => {
    expect(float32Explains({ tensors: 'float32', coefficients: 'float32' }, got, evaluate as never)).toBeUndefined();
    expect(float32Explains({ tensors: 'float64', coefficients: 'float64' }, [[1.1]], evaluate as never)).toBeUndefined();
  });
});
