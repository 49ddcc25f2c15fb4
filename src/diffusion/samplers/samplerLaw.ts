import { InvalidArgumentError } from '../../errors.ts';
import { type Matrix, choleskyLogDet, cholesky, forwardSubstitute, zeros } from '../../linalg/index.ts';
import type { LimitMap } from './limitLaw.ts';
import type { SamplerData } from './samplerData.ts';
import type { SamplerProgram } from './samplerProgram.ts';
import type { SamplerNetwork, TableNetwork } from './samplerNetwork.ts';
import { runSampler } from './runSampler.ts';
import { sampleShape } from './sampleShape.ts';

/**
 * The law of a sampling loop's output when x_init ~ N(0, I) and the noises it uses are iid N(0, I)
 * (MATH.md §5.5). The loop is affine: x_final = F x_init + Σ_k G_k z_k + h, so its law is
 * N(h, F Fᵀ + Σ_k G_k G_kᵀ). The coefficients are read off by probing the loop with unit vectors —
 * the same probing reads them off a subject. With the exact Gaussian network every pixel carries
 * the same C×C coefficients, so the covariance comes from a one-pixel loop and only h is image-sized.
 */
export interface BlockLaw {
  /** Per-pixel mean, length C·P (channel-major). */
  readonly mean: Float64Array;
  /** The C×C covariance shared by every pixel. */
  readonly cov: Matrix;
}

/** Output of the loop for one x_init and per-step noises (a subject or the oracle). */
export type LoopRunner = (xInit: Float64Array, noises: readonly (Float64Array | undefined)[]) => Float64Array;

export function oracleRunner(program: SamplerProgram, network: SamplerNetwork): LoopRunner {
  return (x, z) => runSampler(program, network, x, z).xFinal;
}

/** Covariance F Fᵀ + Σ G_k G_kᵀ of a d-dimensional affine loop by 1 + d + d·(noise steps) probes. */
export function probedCovariance(run: LoopRunner, d: number, noiseSteps: readonly boolean[]): Matrix {
  if (d > 256) throw new InvalidArgumentError('probe dimension', d, 'probing is for one pixel or a small vector (≤ 256)');
  const zero = new Float64Array(d);
  const zeros0 = noiseSteps.map((used) => (used ? zero : undefined));
  const h = run(zero, zeros0);
  const cov = zeros(d, d);
  const addColumn = (out: Float64Array) => {
    for (let i = 0; i < d; i++) {
      const ci = out[i] - h[i];
      if (ci === 0) continue;
      for (let j = 0; j < d; j++) cov.data[i * d + j] += ci * (out[j] - h[j]);
    }
  };
  for (let j = 0; j < d; j++) {
    const e = new Float64Array(d);
    e[j] = 1;
    addColumn(run(e, zeros0));
    noiseSteps.forEach((used, k) => {
      if (!used) return;
      const zk = zeros0.slice();
      zk[k] = e;
      addColumn(run(zero, zk));
    });
  }
  return cov;
}

/** The one-pixel version of a table network (same K, B; μ = 0 — the covariance does not depend on μ). */
export function onePixel(net: TableNetwork): TableNetwork {
  const shape = sampleShape([net.shape.C]);
  return { ...net, shape, mu: new Float64Array(shape.size) };
}

/** The sampler's output law on block Gaussian data (mean field from one image-sized run). */
export function samplerBlockLaw(program: SamplerProgram, network: TableNetwork): BlockLaw {
  const zeros0 = program.noiseSteps.map((used) => (used ? new Float64Array(network.shape.size) : undefined));
  const mean = runSampler(program, network, new Float64Array(network.shape.size), zeros0).xFinal;
  const cov = probedCovariance(oracleRunner(program, onePixel(network)), network.shape.C, program.noiseSteps);
  return { mean, cov };
}

/** The data law at a state level (a, s): per pixel N(aμ_p, a²Σ_C + s²I). */
export function dataLawAt(data: SamplerData, a: number, s: number): BlockLaw {
  const C = data.shape.C;
  const cov = zeros(C, C);
  for (let i = 0; i < C * C; i++) cov.data[i] = a * a * data.channelCov.data[i];
  for (let i = 0; i < C; i++) cov.data[i * C + i] += s * s;
  return { mean: data.mean.map((m) => a * m), cov };
}

/** The continuous-limit law from x_state ~ N(0, initScale² I) at the first level (limitLaw). */
export function limitBlockLaw(data: SamplerData, map: LimitMap, initScale: number): BlockLaw {
  const { C, P } = data.shape;
  const mean = new Float64Array(C * P);
  for (let p = 0; p < P; p++) {
    for (let i = 0; i < C; i++) {
      let acc = map.a0 * data.mean[i * P + p];
      for (let j = 0; j < C; j++) acc -= map.M.data[i * C + j] * map.a1 * data.mean[j * P + p];
      mean[i * P + p] = acc;
    }
  }
  const cov = zeros(C, C);
  for (let i = 0; i < C; i++) for (let j = 0; j < C; j++) {
    let acc = map.Q.data[i * C + j];
    for (let k = 0; k < C; k++) acc += initScale * initScale * map.M.data[i * C + k] * map.M.data[j * C + k];
    cov.data[i * C + j] = acc;
  }
  return { mean, cov };
}

/**
 * KL(p ‖ q) of two block laws (independent pixels, shared C×C covariance):
 * P·½[tr(Σ_q⁻¹Σ_p) − C + ln|Σ_q| − ln|Σ_p|] + ½ Σ_p (μ_q − μ_p)ᵀΣ_q⁻¹(μ_q − μ_p).
 */
export function blockKL(p: BlockLaw, q: BlockLaw, C: number): number {
  const P = p.mean.length / C;
  const Lp = cholesky(p.cov, 'sampler law covariance');
  const Lq = cholesky(q.cov, 'reference covariance');
  let tr = 0;
  const col = new Float64Array(C), y = new Float64Array(C);
  for (let j = 0; j < C; j++) {
    for (let i = 0; i < C; i++) col[i] = Lp.data[i * C + j];
    forwardSubstitute(Lq, col, y);
    for (let i = 0; i < C; i++) tr += y[i] * y[i];
  }
  let maha = 0;
  for (let px = 0; px < P; px++) {
    for (let i = 0; i < C; i++) col[i] = q.mean[i * P + px] - p.mean[i * P + px];
    forwardSubstitute(Lq, col, y);
    for (let i = 0; i < C; i++) maha += y[i] * y[i];
  }
  const kl = 0.5 * P * (tr - C + choleskyLogDet(Lq) - choleskyLogDet(Lp)) + 0.5 * maha;
  return Math.max(0, kl);
}
