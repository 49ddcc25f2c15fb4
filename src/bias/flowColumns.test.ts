import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { dimension } from '../arbitraries/dimension.ts';
import { linearEncoder } from '../arbitraries/encoder.ts';
import { flowPath, flowTime } from '../arbitraries/flowPath.ts';
import { gaussianOfDim } from '../arbitraries/gaussian.ts';
import { fromRows, symmetricEigen, type Matrix } from '../linalg/index.ts';
import { type FlowPathSpec, flowCoefficients } from '../theory/flowPath.ts';
import { distillationCfm, distillationFm, rayInput } from '../theory/flowDistillation.ts';
import { flowConstant } from '../theory/flowMatchingGaussian.ts';
import { conditionalTargetVarianceSlope, flowInputBiasGap } from '../theory/flowInputBias.ts';
import { linearEncoderPosteriorCovariance } from '../theory/inputBias.ts';
import { type FlowTimeLaw, flowTimeCdf } from '../theory/flowTimeLaw.ts';
import { BiasSpecError, parseBiasSpec } from './spec.ts';
import { type FlowBiasSetting, flowBias, flowBiasRow } from './flowColumns.ts';
import type { EffectiveSpectrum } from './posterior.ts';

/*
 * The flow-matching columns (MATH.md §19.9) against the dense theory modules they summarize, the
 * totals against an independent Riemann–Stieltjes sum over the law's CDF, and the divergence report
 * (negative control: a weight that is not integrable must not produce a number).
 */
const rel = (x: number, y: number) => Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y), 1e-300);
const spectrumOf = (m: Matrix): EffectiveSpectrum => ({ values: symmetricEigen(m).values.map((v) => Math.max(v, 0)), restCount: 0, restValue: 0 });

describe('flow bias rows equal the dense closed forms', () => {
  test.prop([dimension({ max: 4 }).chain((d) => fc.record({ data: gaussianOfDim(d, { maxConditionNumber: 100 }), enc: linearEncoder(d), path: flowPath(), t: flowTime() }))], { numRuns: 60 })(
    'constant, gap, and CFM(ρΣ) = collapse + ρ·advantage on the variance ray (distillation)',
    ({ data, enc, path, t }) => {
      const co = flowCoefficients(path, t);
      const sp = spectrumOf(data.cov), post = spectrumOf(linearEncoderPosteriorCovariance(data, enc));
      const r = flowBiasRow(sp, post, path, t);
      expect(rel(r.constant, flowConstant(data, co))).toBeLessThanOrEqual(1e-10);
      expect(rel(r.inputBiasGap, flowInputBiasGap(data, enc, co))).toBeLessThanOrEqual(1e-10);
      for (const rho of [0.3, 1]) {
        const cfm = distillationCfm(data, rayInput(data, rho), co);
        expect(Math.abs(cfm - (r.distillation.cfmAtCollapse + rho * r.distillation.collapseAdvantage))).toBeLessThanOrEqual(1e-9 * Math.max(1, cfm));
      }
      // FM(ρ) = collapse + ρ·advantage − C(ρΣ), C concave in ρ with C(0) = Σ Var₀: |FM(ρ) − FM(0)| ≤ ρ(advantage + C′(0)).
      const rho = 1e-9;
      const c0 = sp.values.reduce((acc, l) => acc + l * conditionalTargetVarianceSlope(co, 0), 0);
      expect(Math.abs(distillationFm(data, rayInput(data, rho), co) - r.distillation.fmAtCollapse)).toBeLessThanOrEqual(rho * (r.distillation.collapseAdvantage + c0) + 1e-9 * Math.max(1, r.distillation.cfmAtCollapse));
    },
  );
});

describe('flow bias totals under the training time law', () => {
  const data = fromRows([[2, 0.3, 0], [0.3, 1, 0.2], [0, 0.2, 0.5]]);
  const sp = spectrumOf(data);
  const base = (law: FlowTimeLaw, extra: Partial<FlowBiasSetting> = {}): FlowBiasSetting => ({ path: { kind: 'rectified' }, times: [0.5], law, weighting: { kind: 'none' }, target: 'velocity', ...extra });

  /** E_t[g(t)] by a Riemann–Stieltjes sum over 20000 cells of the CDF (independent of the quantile route). */
  function stieltjes(law: FlowTimeLaw, g: (t: number) => number): number {
    const n = 20000;
    let acc = 0, F0 = 0;
    for (let k = 1; k <= n; k++) {
      const F1 = flowTimeCdf(law, k / n);
      acc += (F1 - F0) * g((k - 0.5) / n);
      F0 = F1;
    }
    return acc;
  }

  it('continuous laws: the Gauss–Kronrod totals equal the Stieltjes sums', () => {
    const path: FlowPathSpec = { kind: 'rectified' };
    for (const law of [{ base: { kind: 'logit_normal', loc: 0.3, scale: 1 }, shift: 3 }, { base: { kind: 'mode', scale: 1.29 }, shift: 1 }, { base: { kind: 'uniform' }, shift: 1 }] as FlowTimeLaw[]) {
      const f = flowBias(sp, sp, base(law));
      const want = stieltjes(law, (t) => flowBiasRow(sp, sp, path, t).constant);
      expect(f.totals.constant.converged).toBe(true);
      expect(rel(f.totals.constant.value, want)).toBeLessThanOrEqual(1e-6);
    }
  });

  it('SD3\'s x₀ target with σ⁻² weighting totals like the unweighted velocity loss; σ⁻² on the velocity under a uniform law diverges (reported, not a number)', () => {
    const law: FlowTimeLaw = { base: { kind: 'uniform' }, shift: 1 };
    const velocity = flowBias(sp, sp, base(law));
    const x0 = flowBias(sp, sp, base(law, { weighting: { kind: 'sigma_sqrt' }, target: 'x0' }));
    expect(rel(x0.totals.constant.value, velocity.totals.constant.value)).toBeLessThanOrEqual(1e-8);
    const diverging = flowBias(sp, sp, base(law, { weighting: { kind: 'sigma_sqrt' } }));
    expect(diverging.totals.constant.converged).toBe(false);
  });

  it('a table law sums its atoms (1000 descending, shift 3) and differs from the continuous law by the table\'s resolution only', () => {
    const cont: FlowTimeLaw = { base: { kind: 'logit_normal', loc: 0, scale: 1 }, shift: 3 };
    const table = flowBias(sp, sp, base({ ...cont, discretization: { numTrainTimesteps: 1000, table: 'descending' } }));
    const c = flowBias(sp, sp, base(cont));
    expect(rel(table.totals.constant.value, c.totals.constant.value)).toBeLessThanOrEqual(5e-3);
    expect(table.totals.constant.error).toBe(0);
  });
});

describe('the spec\'s flow section', () => {
  it('parses the flow section (schedule optional, with a note) and names the field of every error', () => {
    const spec = parseBiasSpec({ data: { cov: [[1, 0], [0, 2]] }, flow: { path: { kind: 'ot', sigma_min: 0.01 }, times: { count: 5 }, time_law: { kind: 'mode', scale: 1.29 }, weighting: 'cosmap', target: 'eps' } }, 'spec.json');
    expect(spec.input.flow).toMatchObject({ path: { kind: 'ot', sigmaMin: 0.01 }, times: [0, 0.25, 0.5, 0.75, 1], weighting: { kind: 'cosmap' }, target: 'eps' });
    expect(spec.schedule.notes.join(' ')).toMatch(/schedule not given/);
    const bad = (flow: unknown) => () => parseBiasSpec({ data: { cov: [[1]] }, schedule: 'ddpm', flow }, 'spec.json');
    expect(bad({ wrong: 1 })).toThrow(BiasSpecError);
    expect(bad({ wrong: 1 })).toThrow(/flow\.wrong/);
    expect(bad({ weighting: 'snr' })).toThrow(/flow\.weighting/);
    expect(bad({ time_law: { kind: 'mode', scale: 5 } })).toThrow(/flow\.time_law/);
    expect(bad({ times: [0.5, 1.5] })).toThrow(/flow\.times\[1\]/);
    expect(bad({ path: { kind: 'icfm', sigma: 0.1 }, target: 'x0' })).toThrow(/flow\.target/);
  });
});
