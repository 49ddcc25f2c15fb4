import { describe, expect, it } from 'vitest';
import { type Matrix, cholesky, choleskySolve, identity, spdInverse } from '../../linalg/index.ts';
import { createRng } from '../../mc/rng.ts';
import { fitPowerLaw } from '../../numerics/powerLawFit.ts';
import { type SamplerParameterization, type StateLevel, denoiserAt } from './denoiser.ts';
import { exactGaussianNetwork } from './exactGaussianNetwork.ts';
import { limitMap } from './limitLaw.ts';
import { planSampler } from './planSampler.ts';
import type { SamplerContext } from './samplerProgram.ts';
import { samplerData } from './samplerData.ts';
import { type BlockLaw, blockKL, limitBlockLaw, samplerBlockLaw } from './samplerLaw.ts';
import { evaluateNetwork } from './samplerNetwork.ts';
import { parseSamplerSpec } from './samplerSpec.ts';
import { sampleShape } from './sampleShape.ts';
import { trainingTable } from './trainingTable.ts';

/**
 * The sampler-quality machinery against independent computations (MATH.md §5.5):
 * - the tabulated exact network denoises to the Gaussian posterior mean, computed here in
 *   precision form (a different algebra from the implementation's G = aΣ(a²Σ + s²I)⁻¹);
 * - the probed law of a DDIM(η) loop equals a plain per-step mean/covariance recursion;
 * - the continuous-limit laws are what fine discretisations converge to, and the measured order
 *   of each family is its design order where the grid allows it.
 * Each with a negative control.
 */
const COV: Matrix = { rows: 2, cols: 2, data: Float64Array.from([0.5, 0.2, 0.2, 0.3]) };
const shape = sampleShape([2, 1, 3]);
const data = samplerData(shape, COV, [0.3, -0.2, 0.1, 0.4, 1, 0.5]);

function linearTable(T: number) {
  let p = 1;
  return trainingTable(Array.from({ length: T }, (_, i) => (p *= 1 - Math.min(0.999, (1e-4 + ((0.02 - 1e-4) * i) / (T - 1)) * (1000 / T)))));
}

/** E[x₀ | x] = (Σ⁻¹ + (a²/s²)I)⁻¹(Σ⁻¹μ + (a/s²)x) per pixel. */
function posteriorMean(x: Float64Array, level: StateLevel): Float64Array {
  const { a, s } = level;
  const prec = spdInverse(COV);
  const A: Matrix = { rows: 2, cols: 2, data: prec.data.map((v, i) => v + (i % 3 === 0 ? (a * a) / (s * s) : 0)) };
  const L = cholesky(A);
  const out = new Float64Array(x.length);
  for (let p = 0; p < shape.P; p++) {
    const mu = [data.mean[p], data.mean[shape.P + p]];
    const rhs = [0, 1].map((i) => prec.data[i * 2] * mu[0] + prec.data[i * 2 + 1] * mu[1] + (a / (s * s)) * x[i * shape.P + p]);
    const m = choleskySolve(L, rhs);
    out[p] = m[0];
    out[shape.P + p] = m[1];
  }
  return out;
}

describe('exact Gaussian network', () => {
  const params: SamplerParameterization[] = ['eps', 'x0', 'v', 'score', 'edm', 'flow_velocity'];
  it('denoises to the posterior mean in every parameterization, at every kind of level', () => {
    const rng = createRng('exact-network');
    let checked = 0;
    for (const p of params) {
      for (let k = 0; k < 20; k++) {
        const t = 0.02 + 0.96 * rng.uniform();
        const level: StateLevel = p === 'flow_velocity' ? { a: 1 - t, s: t } : k % 2 ? { a: Math.sqrt(1 - t), s: Math.sqrt(t) } : { a: 1, s: 0.05 + 20 * t };
        const net = exactGaussianNetwork(data, p, [{ tau: 7, level }], 0.7);
        const t2 = Math.min(0.99, 1.1 * t);
        const nearby: StateLevel = p === 'flow_velocity' ? { a: 1 - t2, s: t2 } : { a: level.a, s: level.s * 1.1 };
        const wrong = exactGaussianNetwork(data, p, [{ tau: 7, level: nearby }], 0.7);
        const x = rng.fillNormal(new Float64Array(shape.size)).map((v) => 2 * v);
        const d = denoiserAt(p, level, 0.7);
        const x0 = (n: typeof net) => {
          const f = evaluateNetwork(n, x.map((v) => d.inScale * v), 7).out;
          return x.map((v, i) => d.cx * v + d.co * f[i]);
        };
        const exact = posteriorMean(x, level);
        const err = Math.max(...x0(net).map((v, i) => Math.abs(v - exact[i])));
        const errWrong = Math.max(...x0(wrong).map((v, i) => Math.abs(v - exact[i])));
        expect(err, `${p} at a=${level.a}, s=${level.s}`).toBeLessThan(1e-11 * (1 + Math.max(...x.map(Math.abs))) * (1 + level.s / level.a));
        // Negative control: the network of a 10 % different noise level is visibly not the posterior mean.
        expect(errWrong).toBeGreaterThan(1e3 * err);
        checked++;
      }
    }
    expect(checked).toBe(120);
  });
});

describe('probed sampler law', () => {
  it('equals the per-step recursion m ← M m + c, S ← M S Mᵀ + σ²I for DDIM(η)', () => {
    const table = linearTable(1000);
    const ctx: SamplerContext = { table, parameterization: 'v', networkTime: 'index' };
    const one = samplerData(sampleShape([2]), COV, [0.3, -0.2]);
    for (const eta of [0, 0.6, 1]) {
      const prog = planSampler(parseSamplerSpec({ family: 'ddim', eta, spacing: 'trailing' }, 'ddim'), ctx, { numInferenceSteps: 12 });
      const net = exactGaussianNetwork(one, 'v', prog.taus.map((tau, i) => ({ tau, level: prog.callLevels[i] })));
      const law = samplerBlockLaw(prog, net);
      // Independent recursion: x̂₀ = μ + G(x − aμ), G = aΣ(a²Σ + s²I)⁻¹; ε̂ = (x − a x̂₀)/s.
      let m = Float64Array.from([0, 0]);
      let S: Matrix = identity(2);
      let Snoise: Matrix = identity(2);
      const mu = [0.3, -0.2];
      prog.levels.slice(0, -1).forEach((lv, i) => {
        const { a, s } = lv, an = prog.levels[i + 1].a ** 2;
        const sigma = eta * Math.sqrt((1 - an) / (1 - a * a)) * Math.sqrt(1 - (a * a) / an);
        const inv = spdInverse({ rows: 2, cols: 2, data: COV.data.map((v, k) => a * a * v + (k % 3 === 0 ? s * s : 0)) });
        const G = [0, 1, 2, 3].map((k) => a * (COV.data[(k >> 1) * 2] * inv.data[k & 1] + COV.data[(k >> 1) * 2 + 1] * inv.data[2 + (k & 1)]));
        const dir = Math.sqrt(1 - an - sigma * sigma);
        const M = [0, 1, 2, 3].map((k) => Math.sqrt(an) * G[k] + (dir / s) * ((k % 3 === 0 ? 1 : 0) - a * G[k]));
        const gm = [0, 1].map((r) => mu[r] - a * (G[r * 2] * mu[0] + G[r * 2 + 1] * mu[1]));
        const c = [0, 1].map((r) => Math.sqrt(an) * gm[r] - (dir / s) * a * gm[r]);
        const mm = [0, 1].map((r) => M[r * 2] * m[0] + M[r * 2 + 1] * m[1] + c[r]);
        const step = (P: Matrix, noise: boolean): Matrix => {
          const MP = [0, 1, 2, 3].map((k) => M[(k >> 1) * 2] * P.data[k & 1] + M[(k >> 1) * 2 + 1] * P.data[2 + (k & 1)]);
          return { rows: 2, cols: 2, data: Float64Array.from([0, 1, 2, 3], (k) => MP[(k >> 1) * 2] * M[(k & 1) * 2] + MP[(k >> 1) * 2 + 1] * M[(k & 1) * 2 + 1] + (noise && k % 3 === 0 ? sigma * sigma : 0)) };
        };
        S = step(S, true);
        Snoise = step(Snoise, false);
        m = Float64Array.from(mm);
      });
      for (let k = 0; k < 2; k++) expect(Math.abs(law.mean[k] - m[k])).toBeLessThan(1e-12);
      for (let k = 0; k < 4; k++) expect(Math.abs(law.cov.data[k] - S.data[k])).toBeLessThan(1e-12);
      // Negative control: without the σ²I term the recursion misses the law whenever η > 0.
      const gap = Math.max(...[0, 1, 2, 3].map((k) => Math.abs(law.cov.data[k] - Snoise.data[k])));
      if (eta > 0) expect(gap).toBeGreaterThan(1e-3);
      else expect(gap).toBeLessThan(1e-12);
    }
  });
});

describe('continuous limits and measured orders', () => {
  const table = linearTable(10000);
  const vp: SamplerContext = { table, parameterization: 'eps', networkTime: 'index' };
  const flow: SamplerContext = { parameterization: 'flow_velocity', networkTime: { kind: 'flow', scale: 1 } };

  /** `start`: an explicit list from training index `start` down to 0 (a start far from pure noise). */
  function sweep(decl: Record<string, unknown>, ctx: SamplerContext, ns: number[], eta?: number, start?: number) {
    const spec = parseSamplerSpec(start ? { ...decl, spacing: 'explicit' } : decl, 'sampler');
    return ns.map((n) => {
      const timesteps = start ? Array.from({ length: n }, (_, i) => Math.round((start * (n - 1 - i)) / (n - 1))) : undefined;
      const prog = planSampler(spec, ctx, { numInferenceSteps: n, timesteps });
      const net = exactGaussianNetwork(data, ctx.parameterization, prog.taus.map((tau, i) => ({ tau, level: prog.callLevels[i] })));
      const law: BlockLaw = samplerBlockLaw(prog, net);
      const lim = limitBlockLaw(data, limitMap(COV, prog.levels[0], prog.levels[n], eta ?? prog.eta), prog.initScale);
      return blockKL(law, lim, 2);
    });
  }
  const order = (ns: number[], kl: number[]) => -fitPowerLaw(ns, kl).exponent / 2;

  it('fine discretisations converge to the ODE / η-SDE limit from a start far from the marginal; a wrong η does not', () => {
    // Started at training index 2999 from N(0, I), far from q_t: the limit law depends on η.
    const ns = [64, 128, 256];
    for (const [decl, ctx, start] of [
      [{ family: 'ddim', eta: 0 }, vp, 2999],
      [{ family: 'ddim', eta: 0.5 }, vp, 2999],
      [{ family: 'ddpm', variance: 'beta_tilde' }, vp, 2999],
      [{ family: 'ddpm', variance: 'beta' }, vp, 2999],
      [{ family: 'ddim', eta: 0, spacing: 'trailing' }, vp, undefined],
      [{ family: 'flow_euler', shift: 3, grid: 'uniform' }, flow, undefined],
    ] as const) {
      const kl = sweep(decl, ctx, ns, undefined, start);
      // KL ∝ n^{−2p}: ×4 the steps must divide it by ≥ 8 (p ≥ 0.75) if the limit is the right one.
      expect(kl[2], JSON.stringify(decl)).toBeLessThan(kl[0] / 8);
    }
    // Negative controls: DDPM measured against the ODE limit, DDIM(η = 0.5) against the η = 1 one, level off.
    for (const [decl, eta] of [[{ family: 'ddpm', variance: 'beta_tilde' }, 0], [{ family: 'ddim', eta: 0.5 }, 1]] as const) {
      const off = sweep(decl, vp, ns, eta, 2999);
      expect(off[2], JSON.stringify(decl)).toBeGreaterThan(off[0] / 2);
      expect(off[2]).toBeGreaterThan(1e-2);
    }
  });

  it('measured order is the family order on smooth grids; an Euler loop declared Heun measures 1', () => {
    const ns = [64, 128, 256, 512];
    const cases: [Record<string, unknown>, SamplerContext, number][] = [
      [{ family: 'ddim', eta: 0, spacing: 'trailing' }, vp, 1],
      [{ family: 'euler', sigmas: 'karras' }, vp, 1],
      [{ family: 'heun', sigmas: 'karras' }, vp, 2],
      [{ family: 'dpmpp_2m', sigmas: 'karras', tau_rounding: 'none' }, vp, 2],
      [{ family: 'flow_euler', shift: 3, grid: 'uniform' }, flow, 1],
      [{ family: 'flow_heun', shift: 3, grid: 'uniform' }, flow, 2],
    ];
    for (const [decl, ctx, p] of cases) {
      const q = order(ns, sweep(decl, ctx, ns));
      expect(Math.abs(q - p), `${JSON.stringify(decl)}: measured ${q}`).toBeLessThan(0.2);
    }
    // Negative control: the Euler loop measures order 1, far below the 2 a Heun declaration promises.
    expect(order(ns, sweep({ family: 'euler', sigmas: 'karras' }, vp, ns))).toBeLessThan(1.2);
  });
});
