import { spawnSync } from 'node:child_process';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { createFlowSubject } from '../examples/reference-flow.mjs';
import type { ResultRow } from '../src/report/reportModel.ts';
import { FLOW_CHECKS } from '../src/subject/checks/index.ts';
import { ModuleSubject, ProcessSubject, parseHello, SubjectFatalError, type Subject } from '../src/subject/index.ts';
import {
  type FlowTimeLaw, baseCdf, baseQuantile, flowTimeAtoms, flowTimeCdf, flowTimeQuantile, requireFlowTimeLaw,
} from '../src/theory/flowTimeLaw.ts';
import { flowBatchLossGradient, flowSampleLoss, type FlowObjective } from '../src/theory/flowTrainingLoss.ts';
import { flowTimeLawCdf, supDistance } from '../src/subject/checks/flow/flowTimestepSamplerCheck.ts';
import { runChecks } from './support/runChecks.ts';

/*
 * The flow-matching checks (issue 19) through the shared engine: correct subjects (the JS reference in
 * five configurations, float32 included, and the Python/NumPy one) pass; every buggy subject of the
 * catalogue — each check's negative control — is caught by its named check, shrunk, with the diagnosis
 * in the note; the time laws and the loss gradient the oracles rest on are checked on their own.
 */
const seed = fc.readConfigureGlobal().seed as number;
const FLOW_IDS = FLOW_CHECKS.map((c) => c.id);

async function runFlow(subject: Subject, only: readonly string[] = FLOW_IDS, s = seed): Promise<ResultRow[]> {
  return runChecks(subject, { seed: s, only: [...only] });
}

export const FLOW_CONFIGURATIONS: readonly Record<string, unknown>[] = [
  {},
  { path: { kind: 'ot', sigma_min: 0.001 }, prediction: 'velocity', target: 'velocity', weighting: 'cosmap', reduction: 'sum', timeScale: 1, sampler: { kind: 'mode', scale: 1.29 } },
  { path: { kind: 'icfm', sigma: 0.2 }, prediction: 'velocity', target: 'velocity', weighting: 'sigma_sqrt', batchReduction: 'sum', sampler: { kind: 'logit_normal', loc: 0.5, scale: 1.2, shift: 2 } },
  { prediction: 'eps', target: 'x0', timeScale: null, weighting: 'sigma_sqrt', sampler: { kind: 'cosmap', shift: 3 } },
  { prediction: 'x0', target: 'velocity', sampler: { kind: 'uniform', num_train_timesteps: 50, table: 'ascending', shift: 1.5 } },
];

describe('correct flow-matching subjects pass every flow check', () => {
  for (const [i, cfg] of FLOW_CONFIGURATIONS.entries()) {
    for (const precision of ['float64', 'float32'] as const) {
      it(`JS reference, configuration ${i} (${JSON.stringify(cfg).slice(0, 80)}), ${precision}`, async () => {
        const subject = await ModuleSubject.fromObject(createFlowSubject({ ...cfg, precision } as never), `config ${i}`);
        const rows = await runFlow(subject);
        for (const r of rows) expect(r.verdict, `${r.id}: ${r.reason ?? r.counterexample?.outcome?.note}`).toBe('holds');
      });
    }
  }

  it('regression (SCORECHECK_SEED=13 of the long run): float32 OT path at t = 0.998, σ_t = 0.003 — the time-gradient\'s rounding is inside the tolerance', async () => {
    const subject = await ModuleSubject.fromObject(createFlowSubject({ ...FLOW_CONFIGURATIONS[1], precision: 'float32' } as never), 'OT float32');
    const [row] = await runFlow(subject, ['flow_loss_grad.exact'], 13);
    expect(row.verdict, row.counterexample?.outcome?.note).toBe('holds');
  });

  const python = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
  it.skipIf(!python)('Python/NumPy reference (flow_matching CondOT style)', async () => {
    const subject = await ProcessSubject.start('python3 examples/reference_flow_adapter.py');
    try {
      const rows = await runFlow(subject);
      for (const r of rows) expect(r.verdict, `${r.id}: ${r.reason ?? r.counterexample?.outcome?.note}`).toBe('holds');
    } finally {
      await subject.close();
    }
  });
});

export const FLOW_CATALOGUE: readonly { file: string; bug: string; caughtBy: string; note?: RegExp; batch?: number }[] = [
  { file: 'flow-t-reversed', bug: 'x_t = t x₀ + (1 − t)ε with rectified flow\'s target', caughtBy: 'flow_interpolate.exact', note: /t replaced by 1 − t/ },
  { file: 'flow-t-reversed', bug: 'the same bug seen by the loss', caughtBy: 'flow_loss.exact', note: /t replaced by 1 − t/ },
  { file: 'flow-target-x0-minus-eps', bug: 'velocity target x₀ − ε', caughtBy: 'flow_loss.exact', note: /target x₀ − ε/ },
  { file: 'flow-precondition-sign', bug: 'precondition_outputs x̂₀ = x_t + σF', caughtBy: 'flow_loss.exact', note: /sign flipped in the conversion/ },
  { file: 'flow-precondition-sign', bug: 'the same bug seen by the gradient', caughtBy: 'flow_loss_grad.exact', note: /sign flipped in the conversion/ },
  { file: 'flow-sigma-sqrt-not-squared', bug: 'sigma_sqrt weighting as 1/σ', caughtBy: 'flow_loss.exact' },
  { file: 'flow-network-time-unscaled', bug: 'network fed σ instead of 1000σ', caughtBy: 'flow_loss.exact', note: /network fed t instead of 1000·t/ },
  { file: 'flow-grad-batch-sum', bug: 'backward on loss.sum(), declared mean', caughtBy: 'flow_loss_grad.exact', note: /other batch reduction/, batch: 2 },
  { file: 'flow-shift-applied-twice', bug: 'SD3 shift applied twice', caughtBy: 'flow_timestep_sampler.distribution', note: /shift applied twice/ },
  { file: 'flow-logit-normal-variance-as-std', bug: 'logit-normal scale squared', caughtBy: 'flow_timestep_sampler.distribution', note: /scale squared/ },
  { file: 'flow-descending-table-flips-location', bug: 'descending table flips the logit-normal location', caughtBy: 'flow_timestep_sampler.distribution', note: /location's sign flipped/ },
];

describe('flow buggy subjects: each is caught by its check, shrunk, and named', () => {
  for (const entry of FLOW_CATALOGUE) {
    it(`${entry.file}: ${entry.bug} → ${entry.caughtBy}`, async () => {
      const subject = await ModuleSubject.load(`examples/buggy/${entry.file}.mjs`);
      const [r] = await runFlow(subject, [entry.caughtBy]);
      expect(r.verdict, r.reason).toBe('counterexample');
      const cx = r.counterexample!;
      expect(cx.outcome?.holds).toBe(false);
      if (entry.note) expect(cx.outcome?.note).toMatch(entry.note);
      if ((cx.size?.d ?? 0) > 0) expect(cx.size?.d).toBe(1);
      if (entry.batch !== undefined) expect(cx.size?.batch).toBe(entry.batch);
    });
  }

  it('a float32 subject declared float64 fails with a rounding message (and passes declared float32, above)', async () => {
    const impl = createFlowSubject({ precision: 'float32' }) as Record<string, unknown> & { hello: Record<string, unknown> };
    const subject = await ModuleSubject.fromObject({ ...impl, hello: { ...impl.hello, precision: 'float64' } }, 'float32 declared float64');
    const [r] = await runFlow(subject, ['flow_loss.exact']);
    expect(r.verdict).toBe('counterexample');
    expect(r.counterexample!.outcome?.note).toMatch(/consistent with float32 arithmetic/);
  });
});

describe('hello: the flow section and declarations are validated with the field named', () => {
  const hello = (extra: Record<string, unknown>, ops: Record<string, unknown> = { flow_loss: {} }) => () => parseHello({ protocol_version: 1, name: 'x', ops, ...extra });
  it('rejects a bad path, a bad declaration and an x0 prediction on the icfm path', () => {
    expect(hello({ flow: { path: { kind: 'vp' } } })).toThrow(/flow\.path\.kind/);
    expect(hello({ flow: { path: { kind: 'ot', sigma_min: 1.5 } } })).toThrow(/sigma_min|sigmaMin/);
    expect(hello({}, { flow_loss: { weighting: { kind: 'snr' } } })).toThrow(/ops\.flow_loss\.weighting\.kind/);
    expect(hello({}, { flow_timestep_sampler: { kind: 'mode', scale: 3 } })).toThrow(/ops\.flow_timestep_sampler/);
    expect(hello({ flow: { path: { kind: 'icfm', sigma: 0.1 } } }, { flow_loss: { prediction: 'x0' } })).toThrow(SubjectFatalError);
    const h = parseHello({ protocol_version: 1, name: 'x', ops: { flow_loss: { target: 'x0', network_time: { scale: 1000 } } } });
    expect(h.flow?.path).toEqual({ kind: 'rectified' });
    expect(h.ops.flow_loss).toMatchObject({ prediction: 'velocity', target: 'x0', weighting: { kind: 'none' }, reduction: 'mean', network_time: { scale: 1000 } });
  });
});

describe('the time laws and the loss the oracles rest on (MATH.md §19.5, §19.6)', () => {
  const law = fc.oneof(
    fc.record({ loc: fc.integer({ min: -20, max: 20 }), scale: fc.integer({ min: 2, max: 30 }) }).map((b) => ({ kind: 'logit_normal' as const, loc: b.loc / 10, scale: b.scale / 10 })),
    fc.integer({ min: -10, max: 17 }).map((k) => ({ kind: 'mode' as const, scale: k / 10 })),
    fc.constant({ kind: 'cosmap' as const }),
    fc.constant({ kind: 'uniform' as const }),
  ).chain((base) => fc.integer({ min: 2, max: 60 }).map((k): FlowTimeLaw => ({ base, shift: k / 10 })));

  test.prop([law, fc.integer({ min: 1, max: 999 })], { numRuns: 200 })('the CDF inverts the quantile (base and shifted)', (l, k) => {
    requireFlowTimeLaw(l);
    const p = k / 1000;
    expect(Math.abs(baseCdf(l.base, baseQuantile(l.base, p)) - p)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(flowTimeCdf(l, flowTimeQuantile(l, p)) - p)).toBeLessThanOrEqual(1e-9);
  });

  test.prop([law, fc.integer({ min: 1, max: 200 })], { numRuns: 100 })('table atoms sum to 1; a descending table equals the ascending one with the base law mirrored (u ↦ 1 − u)', (l, N) => {
    const desc = flowTimeAtoms({ ...l, discretization: { numTrainTimesteps: N, table: 'descending' } });
    expect(Math.abs(desc.probabilities.reduce((a, b) => a + b, 0) - 1)).toBeLessThanOrEqual(1e-12);
    if (l.base.kind === 'logit_normal') {
      const mirrored = flowTimeAtoms({ ...l, base: { ...l.base, loc: -l.base.loc }, discretization: { numTrainTimesteps: N, table: 'ascending' } });
      // ascending atom k+1 of the mirrored law has base mass on [k/N, (k+1)/N) = descending atom N−k's mass on the mirror image
      for (let k = 0; k < N; k++) expect(Math.abs(mirrored.probabilities[k] - desc.probabilities[k])).toBeLessThanOrEqual(1e-12);
    }
  });

  it('negative control: a law shifted twice is 0.04 or more away in sup-CDF from the declared one (the sampler test detects it)', () => {
    const declared: FlowTimeLaw = { base: { kind: 'logit_normal', loc: 0, scale: 1 }, shift: 3 };
    const twice: FlowTimeLaw = { ...declared, shift: 9 };
    const xs = Float64Array.from({ length: 999 }, (_, i) => flowTimeQuantile(twice, (i + 0.5) / 999)).sort();
    expect(supDistance(xs, flowTimeLawCdf(declared))).toBeGreaterThan(0.04);
    expect(supDistance(xs, flowTimeLawCdf(twice))).toBeLessThan(0.002);
  });

  const objective = fc.record({
    prediction: fc.constantFrom('velocity', 'x0', 'eps'), target: fc.constantFrom('velocity', 'x0', 'eps'),
    weighting: fc.constantFrom('none', 'sigma_sqrt', 'cosmap'), reduction: fc.constantFrom('mean', 'sum'), timeScale: fc.constantFrom(1, 1000),
  }).map((o): FlowObjective => ({ path: { kind: 'rectified' }, prediction: o.prediction as never, target: o.target as never, weighting: { kind: o.weighting as never }, reduction: o.reduction as never, timeScale: o.timeScale }));
  const v = (d: number) => fc.array(fc.integer({ min: -8, max: 8 }).map((k) => k / 4), { minLength: d, maxLength: d });

  test.prop([objective, fc.integer({ min: 1, max: 3 }).chain((d) => fc.record({ W: fc.array(v(d), { minLength: d, maxLength: d }), b: v(d), Wt: fc.array(v(d), { minLength: d, maxLength: d }), bt: v(d), x0: v(d), e: v(d), t: fc.integer({ min: 50, max: 950 }) }))], { numRuns: 100 })(
    'the analytic gradient equals central differences of the loss; SD3\'s preconditioned x₀ loss with σ⁻² weighting is the velocity loss',
    (obj, c) => {
      const net = { W: c.W, b: c.b, W_time: c.Wt.map((r) => r.map((x) => x / 1000)), b_time: c.bt.map((x) => x / 1000) };
      const sample = { x0: c.x0, noise: c.e, t: c.t / 1000 };
      const g = flowBatchLossGradient(obj, net, [sample], 'mean').gradient;
      const d = c.b.length;
      const flat = [...net.W.flat(), ...net.b, ...net.W_time.flat(), ...net.b_time];
      const rebuild = (p: number[]) => ({ W: Array.from({ length: d }, (_, i) => p.slice(i * d, i * d + d)), b: p.slice(d * d, d * d + d), W_time: Array.from({ length: d }, (_, i) => p.slice(d * d + d + i * d, d * d + d + i * d + d)), b_time: p.slice(2 * d * d + d) });
      const loss = flowSampleLoss(obj, net, sample).loss;
      for (let i = 0; i < flat.length; i++) {
        const h = 1e-6;
        const up = [...flat], down = [...flat];
        up[i] += h;
        down[i] -= h;
        const fd = (flowSampleLoss(obj, rebuild(up), sample).loss - flowSampleLoss(obj, rebuild(down), sample).loss) / (2 * h);
        expect(Math.abs(fd - g[i])).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(g[i]) + loss));
      }
      if (obj.prediction === 'velocity' && obj.target === 'x0' && obj.weighting.kind === 'sigma_sqrt') {
        const velocityLoss = flowSampleLoss({ ...obj, target: 'velocity', weighting: { kind: 'none' } }, net, sample).loss;
        expect(Math.abs(loss - velocityLoss)).toBeLessThanOrEqual(1e-9 * (1 + velocityLoss));
      }
    },
  );
});
