import { InvalidArgumentError } from '../errors.ts';
import { requireIntegerInRange } from '../validate.ts';
import { type NoiseLevel, noiseLevel } from './noiseLevel.ts';

/**
 * A discrete diffusion schedule indexed t = 1..T. `level(t)` gives the forward
 * kernel q(x_t|x_0) = N(a_t x_0, s_t² I). For VP schedules
 * a_t = √ᾱ_t, s_t = √(1−ᾱ_t), ᾱ_t = ∏_{i≤t}(1−β_i) (MATH.md §1).
 */
export interface Schedule {
  readonly kind: 'vp' | 've';
  /** Human-readable description, e.g. "vp-linear(T=1000, 1e-4..0.02)". */
  readonly name: string;
  readonly T: number;
  level(t: number): NoiseLevel;
}

export interface VPSchedule extends Schedule {
  readonly kind: 'vp';
  /** β_t at index t−1, t = 1..T. */
  readonly betas: Float64Array;
  /** ᾱ_t at index t−1. */
  readonly alphaBars: Float64Array;
  beta(t: number): number;
  alpha(t: number): number;
  /** ᾱ_t; ᾱ_0 = 1 by convention. */
  alphaBar(t: number): number;
}

export interface VESchedule extends Schedule {
  readonly kind: 've';
  /** σ_t at index t−1. */
  readonly sigmas: Float64Array;
}

/** VP schedule from explicit betas β_1..β_T, each in (0, 1). */
export function vpFromBetas(betas: ArrayLike<number>, name = 'vp-explicit'): VPSchedule {
  const T = betas.length;
  if (T < 1) throw new InvalidArgumentError('schedule.betas', betas, 'need at least one step');
  const b = new Float64Array(T);
  const ab = new Float64Array(T);
  let prod = 1;
  for (let i = 0; i < T; i++) {
    const beta = betas[i];
    if (!(Number.isFinite(beta) && beta > 0 && beta < 1)) throw new InvalidArgumentError(`schedule.betas[${i}]`, beta, 'must lie in (0, 1)');
    b[i] = beta;
    prod *= 1 - beta;
    ab[i] = prod;
  }
  return makeVP(b, ab, `${name}(T=${T})`);
}

/** VP schedule from explicit ᾱ_1..ᾱ_T, strictly decreasing in (0, 1). */
export function vpFromAlphaBars(alphaBars: ArrayLike<number>, name = 'vp-alphabar'): VPSchedule {
  const T = alphaBars.length;
  if (T < 1) throw new InvalidArgumentError('schedule.alphaBars', alphaBars, 'need at least one step');
  const ab = new Float64Array(T);
  const b = new Float64Array(T);
  let prev = 1;
  for (let i = 0; i < T; i++) {
    const v = alphaBars[i];
    if (!(Number.isFinite(v) && v > 0 && v < 1)) throw new InvalidArgumentError(`schedule.alphaBars[${i}]`, v, 'must lie in (0, 1)');
    if (!(v < prev)) throw new InvalidArgumentError(`schedule.alphaBars[${i}]`, v, `must be strictly smaller than the previous value ${prev}`);
    ab[i] = v;
    b[i] = 1 - v / prev;
    prev = v;
  }
  return makeVP(b, ab, `${name}(T=${T})`);
}

/** DDPM linear betas: β_t = linspace(βstart, βend, T) (Ho et al. 2020 defaults). */
export function linearSchedule(T: number, betaStart = 1e-4, betaEnd = 0.02): VPSchedule {
  requireIntegerInRange('schedule.T', T, 1, 1e7);
  const betas = new Float64Array(T);
  for (let i = 0; i < T; i++) betas[i] = T === 1 ? betaEnd : betaStart + ((betaEnd - betaStart) * i) / (T - 1);
  const s = vpFromBetas(betas, 'vp-linear');
  return { ...s, name: `vp-linear(T=${T}, ${betaStart}..${betaEnd})` };
}

/**
 * Linear betas scaled so that the total noise is independent of T:
 * β_t = linspace(βstart, βend) · (1000 / T), clipped to 0.999. Use for
 * "as T grows" sweeps (MATH.md §4).
 */
export function scaledLinearSchedule(T: number, betaStart = 1e-4, betaEnd = 0.02): VPSchedule {
  requireIntegerInRange('schedule.T', T, 1, 1e7);
  const k = 1000 / T;
  const betas = new Float64Array(T);
  for (let i = 0; i < T; i++) {
    const b = T === 1 ? betaEnd : betaStart + ((betaEnd - betaStart) * i) / (T - 1);
    betas[i] = Math.min(0.999, b * k);
  }
  const s = vpFromBetas(betas, 'vp-scaled-linear');
  return { ...s, name: `vp-scaled-linear(T=${T})` };
}

/** Nichol & Dhariwal cosine schedule: ᾱ(t) = f(t)/f(0), f(t) = cos²((t/T + s)/(1 + s) · π/2), β clipped to 0.999. */
export function cosineSchedule(T: number, offset = 0.008): VPSchedule {
  requireIntegerInRange('schedule.T', T, 1, 1e7);
  const f = (t: number) => Math.cos((((t / T) + offset) / (1 + offset)) * (Math.PI / 2)) ** 2;
  const betas = new Float64Array(T);
  for (let i = 0; i < T; i++) betas[i] = Math.min(0.999, 1 - f(i + 1) / f(i));
  const s = vpFromBetas(betas, 'vp-cosine');
  return { ...s, name: `vp-cosine(T=${T})` };
}

/** VE schedule from σ_1..σ_T, each finite and > 0. */
export function veSchedule(sigmas: ArrayLike<number>): VESchedule {
  const T = sigmas.length;
  if (T < 1) throw new InvalidArgumentError('schedule.sigmas', sigmas, 'need at least one step');
  const sg = new Float64Array(T);
  for (let i = 0; i < T; i++) {
    const v = sigmas[i];
    if (!(Number.isFinite(v) && v > 0)) throw new InvalidArgumentError(`schedule.sigmas[${i}]`, v, 'must be finite and > 0');
    sg[i] = v;
  }
  return {
    kind: 've',
    name: `ve(T=${T})`,
    T,
    sigmas: sg,
    level(t: number) {
      requireIntegerInRange('t', t, 1, T);
      return noiseLevel(1, sg[t - 1]);
    },
  };
}

function makeVP(betas: Float64Array, alphaBars: Float64Array, name: string): VPSchedule {
  const T = betas.length;
  const check = (t: number) => requireIntegerInRange('t', t, 1, T);
  return {
    kind: 'vp',
    name,
    T,
    betas,
    alphaBars,
    beta: (t) => betas[check(t) - 1],
    alpha: (t) => 1 - betas[check(t) - 1],
    alphaBar: (t) => (t === 0 ? 1 : alphaBars[check(t) - 1]),
    level(t: number) {
      const ab = alphaBars[check(t) - 1];
      return { a: Math.sqrt(ab), s: Math.sqrt(1 - ab) };
    },
  };
}

/**
 * diffusers' `scaled_linear` (Stable Diffusion 1.x/2.x, SDXL: βstart 0.00085, βend 0.012,
 * T = 1000): β linear in √β, β_t = (√βstart + (√βend − √βstart)·(t − 1)/(T − 1))².
 * Not scorecheck's `scaledLinearSchedule` (linear β rescaled by 1000/T). diffusers builds the
 * betas in float32; this is the float64 formula (β differs by ≤ ~1e-7 relative).
 */
export function sqrtLinearSchedule(T: number, betaStart = 0.00085, betaEnd = 0.012): VPSchedule {
  requireIntegerInRange('schedule.T', T, 1, 1e7);
  const r0 = Math.sqrt(betaStart), r1 = Math.sqrt(betaEnd);
  const betas = new Float64Array(T);
  for (let i = 0; i < T; i++) {
    const r = T === 1 ? r1 : r0 + ((r1 - r0) * i) / (T - 1);
    betas[i] = r * r;
  }
  const s = vpFromBetas(betas, 'vp-sqrt-linear');
  return { ...s, name: `vp-sqrt-linear(T=${T}, ${betaStart}..${betaEnd})` };
}
