import { describe, expect, it } from 'vitest';
import { createTrainingSubject } from '../../examples/reference-training.mjs';
import type { Parameterization } from '../diffusion/parameterization.ts';
import { criticalZ } from '../mc/tolerance.ts';
import { type InputOptimizationCase, measureInputOptimization } from './inputOptimizationMeasurement.ts';
import { ModuleSubject } from './moduleSubject.ts';
import type { Subject } from './subject.ts';
import { fetchSchedule } from './subjectSchedule.ts';
import type { LossInputGradDeclaration } from './trainingProtocol.ts';

/*
 * The draws measureInputOptimization sends are the law its prediction assumes (MATH.md §7.6): x₀ ~ N(μ, diag v),
 * ε ~ N(0, I), and c = Bx₀ + b + τξ with ξ ~ N(0, I) independent of x₀. The measurement's own test cannot see a
 * wrong law: its control variate (the declared loss on the same draws) moves with it. Here the draws are read
 * back from the subject's requests: c − Bx₀ − b, (x₀ − μ)/√v and ε each have mean 0 and variance τ² (resp. 1)
 * per coordinate — z-tests on the mean and on the variance (Var s² = 2σ⁴/(n − 1) for normal draws), each at
 * α = 1e-9 two-sided (|z| ≤ 6.1). Power: with n ≥ 400 a mean shift of 0.35σ or a variance off by 45 % is caught
 * with probability > 0.99; a draw c = Bx₀ + b + τξ with any one product w·x₀ replaced is off by O(1).
 */
const ALPHA = 1e-9;

function zMean(xs: readonly number[], sigma: number): number {
  return (xs.reduce((s, x) => s + x, 0) / xs.length) / (sigma / Math.sqrt(xs.length));
}
function zVariance(xs: readonly number[], sigma: number): number {
  const n = xs.length, m = xs.reduce((s, x) => s + x, 0) / n;
  const s2 = xs.reduce((s, x) => s + (x - m) ** 2, 0) / (n - 1);
  return (s2 - sigma * sigma) / (sigma * sigma * Math.sqrt(2 / (n - 1)));
}

describe('measureInputOptimization: the draws follow the law the prediction assumes', () => {
  it('c − Bx₀ − b ~ N(0, τ²I), x₀ ~ N(μ, diag v), ε ~ N(0, I) in the requests sent to loss_input_grad', async () => {
    const inner = await ModuleSubject.fromObject(createTrainingSubject() as unknown as Record<string, unknown>, 'training');
    const requests: { x0: number[][]; noise: number[][]; c: number[][] }[] = [];
    const recording: Subject = {
      description: 'recording', hello: inner.hello, callCounts: inner.callCounts, close: () => inner.close(),
      call: (op, args) => {
        if (op === 'loss_input_grad') requests.push(args as (typeof requests)[number]);
        return inner.call(op, args);
      },
    };
    const c: InputOptimizationCase = {
      mean: [0.5, -1], variances: [2, 0.25], B: [[1.5, -0.5], [0.25, 2]], b: [0.3, -0.7], tau: 0.5,
      network: { W: [[0.2, -0.1], [0.05, 0.3]], U: [[0.4, -0.2], [0.1, 0.5]], b: [0.1, -0.1] }, t: 30, seed: 7,
    };
    const m = await measureInputOptimization(recording, await fetchSchedule(inner), inner.hello.parameterization as Parameterization,
      inner.hello.ops.loss_input_grad as LossInputGradDeclaration, c, 1e-6);
    const x0 = requests.flatMap((r) => r.x0), cs = requests.flatMap((r) => r.c), eps = requests.flatMap((r) => r.noise);
    expect(x0.length).toBe(m.samples);
    expect(m.samples).toBeGreaterThanOrEqual(400);
    const crit = criticalZ(ALPHA);
    const check = (xs: number[], sigma: number, what: string) => {
      expect(Math.abs(zMean(xs, sigma)), `${what}: mean`).toBeLessThanOrEqual(crit);
      expect(Math.abs(zVariance(xs, sigma)), `${what}: variance`).toBeLessThanOrEqual(crit);
    };
    for (let q = 0; q < 2; q++) check(cs.map((cc, n) => cc[q] - c.b[q] - c.B[q][0] * x0[n][0] - c.B[q][1] * x0[n][1]), c.tau, `ξ_${q}·τ`);
    for (let j = 0; j < 2; j++) check(x0.map((x) => (x[j] - c.mean[j]) / Math.sqrt(c.variances[j])), 1, `x₀_${j}`);
    for (let j = 0; j < 2; j++) check(eps.map((e) => e[j]), 1, `ε_${j}`);
    // independence of ξ and x₀ (the prediction's Cov(x₀, c) = ΣBᵀ): correlation within 6.1/√n of 0
    const xi0 = cs.map((cc, n) => (cc[0] - c.b[0] - c.B[0][0] * x0[n][0] - c.B[0][1] * x0[n][1]) / c.tau);
    const corr = xi0.reduce((s, v, n) => s + v * (x0[n][0] - c.mean[0]) / Math.sqrt(c.variances[0]), 0) / Math.sqrt(xi0.length);
    expect(Math.abs(corr)).toBeLessThanOrEqual(crit);
  });
});
