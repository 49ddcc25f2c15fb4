/**
 * The input-optimization report (issue 16, MATH.md §7.6–7.7) on the reference subjects, measured:
 * `npx tsx bench/input-optimization-report.ts [--write]` (--write: bench/results/input-optimization.md).
 *
 * 1. An encoder c = B x_0 + b + τξ optimized through the subjects' conditional DSM loss: per step t,
 *    the predicted ‖∇DSM‖, ‖∇ESM‖ and ‖bias‖ (Xu 2025 Thm 2), the bias measured from the subject's
 *    own ∂ℓ/∂c (‖measured ∇DSM − predicted ∇ESM‖), tr K = E‖∇log q(x_t|c)‖², and the test of the
 *    measured gradient against the prediction (z, samples).
 * 2. Score distillation of N(μ, FFᵀ) through the JS subject's SDS gradient with a frozen exact
 *    score of a Gaussian target: predicted vs measured mean gradient along a direction, and the
 *    collapse rate of the spread.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { createTrainingSubject } from '../examples/reference-training.mjs';
import { perAssertionFalseAlarm } from '../src/mc/falseAlarmBudget.ts';
import { sdsCollapseCheck } from '../src/subject/checks/training/sdsCollapseCheck.ts';
import { inputOptimizationSetting, measureInputOptimization } from '../src/subject/inputOptimizationMeasurement.ts';
import { encoderGradientNorm, weightedInputGradients } from '../src/theory/inputOptimization.ts';
import { ModuleSubject, ProcessSubject, type Subject } from '../src/subject/index.ts';
import type { Parameterization } from '../src/diffusion/parameterization.ts';
import type { LossInputGradDeclaration } from '../src/subject/trainingProtocol.ts';
import { fetchSchedule } from '../src/subject/subjectSchedule.ts';

const alpha = perAssertionFalseAlarm('subject.mc');
const fmt = (x: number) => (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toPrecision(4) : x.toExponential(3));
const lines: string[] = [];
const out = (s = '') => { lines.push(s); console.log(s); };

async function encoderTable(label: string, subject: Subject): Promise<void> {
  const sched = await fetchSchedule(subject);
  const T = sched.schedule.T;
  const decl = subject.hello.ops.loss_input_grad as LossInputGradDeclaration;
  const p = subject.hello.parameterization as Parameterization;
  out(`### ${label}`);
  out('');
  out(`data N((0.3, −0.2), diag(1, 0.5)); encoder B = [[1, 0.5]], b = [0], τ = 0.5; network W = 0.2 I, U = [[0.5], [0.3]], b = 0; ${p}, ${JSON.stringify(decl.weighting)}, reduction ${decl.reduction}`);
  out('');
  out('| subject t | ‖∇DSM‖ | ‖∇ESM‖ | ‖bias‖ predicted | ‖bias‖ measured | bias / ∇ESM | tr K | samples | z (crit) |');
  out('|---|---|---|---|---|---|---|---|---|');
  for (const t of [...new Set([1, Math.ceil(T / 4), Math.ceil(T / 2), Math.ceil((3 * T) / 4), T])]) {
    const m = await measureInputOptimization(subject, sched, p, decl, {
      mean: [0.3, -0.2], variances: [1, 0.5], B: [[1, 0.5]], b: [0], tau: 0.5,
      network: { W: [[0.2, 0], [0, 0.2]], U: [[0.5], [0.3]], b: [0, 0] }, t, seed: 1000 + t,
    }, alpha, { maxSamples: 20_000 });
    out(`| ${m.t} | ${fmt(m.norms.dsm)} | ${fmt(m.norms.esm)} | ${fmt(m.norms.bias)} | ${fmt(m.norms.measuredBias)} | ${fmt(m.norms.bias / m.norms.esm)} | ${fmt(m.scoreNorm)} | ${m.samples} | ${fmt(m.test.z)} (${fmt(m.test.critical)}) |`);
  }
  // Under the training law: t uniform on the T steps, each step with its declared weighting λ_t (predicted).
  const setting = inputOptimizationSetting({ mean: [0.3, -0.2], variances: [1, 0.5], B: [[1, 0.5]], b: [0], tau: 0.5, network: { W: [[0.2, 0], [0, 0.2]], U: [[0.5], [0.3]], b: [0, 0] }, t: 1, seed: 0 }, p, decl);
  const w = weightedInputGradients(setting, Array.from({ length: T }, (_, i) => ({ level: sched.schedule.level(i + 1), p: 1 / T })));
  out(`| all t (uniform, predicted) | ${fmt(encoderGradientNorm(w.dsm))} | ${fmt(encoderGradientNorm(w.esm))} | ${fmt(encoderGradientNorm(w.bias))} | — | ${fmt(encoderGradientNorm(w.bias) / encoderGradientNorm(w.esm))} | ${fmt(w.scoreNorm)} | — | — |`);
  out('');
}

async function sdsTable(subject: Subject): Promise<void> {
  const sched = await fetchSchedule(subject);
  const T = sched.schedule.T;
  out('### SDS: JS reference (DreamFusion gradient, w = 1 − ᾱ_t), target N(0.5, 1), input N(−1, 1.5²)');
  out('');
  out('| subject t | predicted ⟨E∇, dir⟩ | measured | samples | collapse rate λ_min(sym G) | spread half-life |');
  out('|---|---|---|---|---|---|');
  const ctx = { subject, hello: subject.hello, schedule: sched, rtol: 1e-9 };
  for (const t of [...new Set([1, Math.ceil(T / 4), Math.ceil(T / 2), T])]) {
    const o = await sdsCollapseCheck.run(ctx, { d: 1, targetMean: [0.5], targetVariances: [1], mu: [-1], spread: [1.5], t, seed: 7 + t }, { falseAlarm: alpha, replicate: 0 });
    const q = o.quantities as Record<string, number>;
    out(`| ${sched.toSubject(t)} | ${fmt(q.predicted)} | ${fmt(q.measured)} | ${o.samples} | ${fmt(q.collapseRate)} | ${q.spreadHalfLife < 0 ? '∞' : fmt(q.spreadHalfLife)} |`);
  }
  out('');
}

out(`# Input optimization on the reference subjects (${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, load ${os.loadavg()[0].toFixed(1)})`);
out('');
out('Command: `npx tsx bench/input-optimization-report.ts --write`. Predicted values are closed forms (Xu 2025 Thm 2 in the');
out('subject\'s units); measured ones come from the subject\'s own gradients on seeded draws (control variate: the declared');
out('loss\'s own per-draw gradient; a test of E[measured − predicted] = 0 at the suite\'s per-assertion α).');
out('');
const js = await ModuleSubject.fromObject(createTrainingSubject(), 'reference training (JS)');
await encoderTable('Encoder through the JS reference (ε-prediction, unit weighting, mean over coordinates, cosine T = 50)', js);
const py = await ProcessSubject.start('python3 examples/reference_training_adapter.py', 20_000);
try {
  await encoderTable('Encoder through the Python/NumPy reference (x_0-prediction, sum over coordinates, linear T = 40, 1-based t)', py);
} finally {
  await py.close();
}
await sdsTable(js);
if (process.argv.includes('--write')) writeFileSync('bench/results/input-optimization.md', `${lines.join('\n')}\n`);
