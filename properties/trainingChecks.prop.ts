import { spawnSync } from 'node:child_process';
import { fc } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrainingSubject } from '../examples/reference-training.mjs';
import { createFloat32Subject } from '../examples/reference-float32.mjs';
import type { ResultRow } from '../src/report/reportModel.ts';
import { TRAINING_CHECKS } from '../src/subject/checks/index.ts';
import { ModuleSubject, ProcessSubject, type Subject } from '../src/subject/index.ts';
import { runChecks } from './support/runChecks.ts';

/*
 * The training checks (issue 16) through the shared engine, like every subject check: the buggy
 * catalogue is every check's negative control (caught by its named check, shrunk, with the diagnosis
 * in the note); correct subjects — JS in four configurations, Python/NumPy, a float32 DDPM — pass.
 */
const seed = fc.readConfigureGlobal().seed as number;
const RUNS = 30;
const TRAINING_IDS = TRAINING_CHECKS.map((c) => c.id);

/** Exact checks with RUNS cases each, statistical ones with their own (smaller) default. */
async function runTraining(subject: Subject, only: readonly string[] = TRAINING_IDS, s = seed): Promise<ResultRow[]> {
  const statistical = new Set(TRAINING_CHECKS.filter((c) => c.kind === 'statistical').map((c) => c.id));
  const exact = only.filter((id) => !statistical.has(id)), stat = only.filter((id) => statistical.has(id));
  const rows = [...(exact.length ? await runChecks(subject, { runs: RUNS, seed: s, only: exact }) : []), ...(stat.length ? await runChecks(subject, { seed: s, only: stat }) : [])];
  return only.map((id) => byId(rows, id));
}

function byId(rows: readonly ResultRow[], id: string): ResultRow {
  const r = rows.find((x) => x.id === id);
  if (!r) throw new Error(`no result for ${id}`);
  return r;
}

export const TRAINING_CATALOGUE: readonly { file: string; bug: string; caughtBy: string; note?: RegExp }[] = [
  { file: 'cosine-offset-zero', bug: 'cosine schedule with s = 0 declared as s = 0.008', caughtBy: 'schedule.named', note: /cosine with s = 0 \(declared 0\.008\)/ },
  { file: 'scaled-linear-as-linear', bug: 'scaled_linear built linear in β', caughtBy: 'schedule.named', note: /linear with β from/ },
  { file: 'betas-in-half-precision', bug: 'betas stored in float16, declared float32', caughtBy: 'schedule.named', note: /beyond float32 rounding/ },
  { file: 'respaced-with-base-betas', bug: 'respacing keeps the base betas', caughtBy: 'schedule.named', note: /respaced with the base β/ },
  { file: 'learned-range-swapped', bug: 'learned-range interpolation with min/max swapped', caughtBy: 'vlb_terms.exact', note: /ends swapped/ },
  { file: 'hybrid-without-stop-gradient', bug: 'hybrid loss without the stop-gradient on the mean', caughtBy: 'loss_grad.exact', note: /WITHOUT the stop-gradient/ },
  { file: 'vlb-decoder-wrong-t', bug: 'decoder term at t == 1 instead of t == 0', caughtBy: 'vlb_terms.exact' },
  { file: 'importance-weights-without-T', bug: 'importance weights 1/p instead of 1/(T p)', caughtBy: 'timestep_sampler.distribution', note: /importance weight/ },
  { file: 'loss-second-moment-without-sqrt', bug: 'loss-second-moment weights without the square root', caughtBy: 'timestep_sampler.distribution', note: /probabilities differ/ },
  { file: 'logit-normal-location-ignored', bug: 'logit-normal sampling ignores the declared location', caughtBy: 'timestep_sampler.distribution' },
  { file: 'prior-term-wrong-step', bug: 'prior term at ᾱ_{T−1}', caughtBy: 'vlb_prior.exact' },
  { file: 'sds-weight-alphabar', bug: 'SDS weight ᾱ_t instead of 1 − ᾱ_t', caughtBy: 'sds_grad.exact' },
  { file: 'cond-loss-alphabar-prev', bug: 'conditional loss noised with ᾱ_{t−1}', caughtBy: 'loss_input_grad.exact' },
  // The same two bugs seen by the statistical reports (their negative controls).
  { file: 'cond-loss-alphabar-prev', bug: 'conditional loss noised with ᾱ_{t−1}', caughtBy: 'loss_input_grad.bias' },
  { file: 'sds-weight-alphabar', bug: 'SDS weight ᾱ_t instead of 1 − ᾱ_t', caughtBy: 'sds_grad.collapse' },
];

describe('training buggy subjects: each is caught by its check, shrunk', () => {
  for (const entry of TRAINING_CATALOGUE) {
    it(`${entry.file}: ${entry.bug} → ${entry.caughtBy}`, async () => {
      const subject = await ModuleSubject.load(`examples/buggy/${entry.file}.mjs`);
      const r = byId(await runTraining(subject, [entry.caughtBy]), entry.caughtBy);
      expect(r.verdict, r.reason).toBe('counterexample');
      const cx = r.counterexample!;
      expect(cx.outcome?.holds).toBe(false);
      if (entry.note) expect(cx.outcome?.note).toMatch(entry.note);
      if ((cx.size?.d ?? 0) > 0) expect(cx.size?.d).toBe(1);
    });
  }

  it('a float32 table declared float64 fails schedule.named with a rounding message, and passes declared float32', async () => {
    const subject = await ModuleSubject.load('examples/buggy/float32-table-declared-float64.mjs');
    const r = byId(await runTraining(subject, ['schedule.named']), 'schedule.named');
    expect(r.verdict).toBe('counterexample');
    expect(r.counterexample!.outcome?.note).toMatch(/your coefficients are float32.*consistent with float32 rounding/);
    const mod = (await import('../examples/buggy/float32-table-declared-float64.mjs')).default as Record<string, unknown> & { hello: object };
    const declared = await ModuleSubject.fromObject({ ...mod, hello: { ...mod.hello, coefficient_precision: 'float32' } }, 'declared float32');
    expect(byId(await runTraining(declared, ['schedule.named']), 'schedule.named').verdict).toBe('holds');
  });
});

describe('correct training subjects pass every training check', () => {
  const variants: Record<string, Parameters<typeof createTrainingSubject>[0]> = {
    'ε, learned range, hybrid, cosine T = 50, loss-second-moment sampler, SDS': {},
    'x0, learned log-variance, hybrid, linear T = 20, uniform sampler, full SDS': { parameterization: 'x0', variance: { kind: 'learned' }, schedule: { kind: 'linear', T: 20, beta_start: 1e-4, beta_end: 0.2 }, sampler: { kind: 'uniform' }, sds: { gradient: 'full', weighting: { kind: 'unit' } } },
    'v, fixed small, simple loss, scaled_linear T = 30, logit-normal sampler': { parameterization: 'v', variance: { kind: 'fixed_small' }, hybrid: false, schedule: { kind: 'scaled_linear', T: 30, beta_start: 0.00085, beta_end: 0.012 }, sampler: { kind: 'logit_normal', mean: 0.3, std: 1.2 } },
    'score, fixed large, simple loss, cosine T = 2, EDM σ sampler': { parameterization: 'score', variance: { kind: 'fixed_large' }, hybrid: false, schedule: { kind: 'cosine', T: 2 }, sampler: { kind: 'edm_lognormal', p_mean: -1.2, p_std: 1.2 } },
  };
  for (const [label, opts] of Object.entries(variants)) {
    it(`JS reference (${label})`, async () => {
      const subject = await ModuleSubject.fromObject(createTrainingSubject(opts), label);
      const res = await runTraining(subject);
      expect(res.filter((r) => r.verdict !== 'holds').map((r) => `${r.id}: ${r.verdict} ${r.counterexample?.outcome?.note ?? r.reason ?? ''}`)).toEqual([]);
      expect(res).toHaveLength(TRAINING_CHECKS.length);
    });
  }

  it('regression (SCORECHECK_SEED=6 of the long run): the hybrid loss at t = T with a zero model is 4.2e-9 made of O(1) KL terms — its rounding is within the bound term\'s tolerance', async () => {
    const subject = await ModuleSubject.fromObject(createTrainingSubject({}), 'hybrid at t = T');
    const [row] = await runTraining(subject, ['loss_grad.exact'], 6);
    expect(row.verdict, row.counterexample?.outcome?.note).toBe('holds');
  });

  it('a correct float32 DDPM passes every check it declares on 20 seeds (add_noise, posterior, loss, step, schedule.named)', async () => {
    const subject = await ModuleSubject.fromObject(createFloat32Subject({ schedule: { kind: 'cosine', T: 1000 } }), 'float32 cosine');
    for (let s = 1; s <= 20; s++) {
      const rows = await runChecks(subject, { seed: s, runs: 20 });
      const bad = rows.filter((r) => r.verdict !== 'holds' && r.verdict !== 'skipped').map((r) => `seed ${s} ${r.id}: ${r.verdict} ${r.counterexample?.outcome?.note ?? r.reason ?? ''}`);
      expect(bad).toEqual([]);
      expect(rows.filter((r) => r.verdict === 'holds').map((r) => r.id)).toEqual(expect.arrayContaining(['add_noise.exact', 'posterior.exact', 'loss.dsm', 'step.kernel', 'schedule.named']));
    }
  });

  it('the same float32 DDPM declared float64 fails add_noise, posterior, loss.dsm and step with a rounding message, not a bug diagnosis', async () => {
    const subject = await ModuleSubject.fromObject(createFloat32Subject({ declare: { precision: 'float64' } }), 'float32 declared float64');
    const rows = await runChecks(subject, { seed, runs: 20, only: ['add_noise.exact', 'posterior.exact', 'loss.dsm', 'step.kernel'] });
    for (const r of rows) {
      expect(r.verdict, r.id).toBe('counterexample');
      expect(r.counterexample!.outcome?.note, r.id).toMatch(/consistent with float32 rounding of the schedule coefficients/);
      expect(r.counterexample!.outcome?.note, r.id).not.toMatch(/β where β̃ belongs/);
    }
  });

  it('a correct float32 DDPM (diffusers-style float32 betas) declaring its named schedule passes schedule.named', async () => {
    const subject = await ModuleSubject.fromObject(createFloat32Subject({ schedule: { kind: 'cosine', T: 1000 } }), 'float32 cosine');
    const r = byId(await runTraining(subject, ['schedule.named']), 'schedule.named');
    expect(r.verdict, r.counterexample?.outcome?.note).toBe('holds');
  });

  const hasNumpy = spawnSync('python3', ['-c', 'import numpy']).status === 0;
  describe.skipIf(!hasNumpy)('Python/NumPy reference (improved-diffusion style)', () => {
    let subject: Subject;
    beforeAll(async () => {
      subject = await ProcessSubject.start('python3 examples/reference_training_adapter.py', 20_000);
    });
    afterAll(async () => subject?.close());
    it('passes every training check', async () => {
      const res = await runTraining(subject);
      expect(res.filter((r) => r.verdict !== 'holds').map((r) => `${r.id}: ${r.verdict} ${r.counterexample?.outcome?.note ?? r.reason ?? ''}`)).toEqual([]);
    });
  });
});
