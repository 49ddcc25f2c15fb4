import { InvalidArgumentError } from '../errors.ts';
import { type Arithmetic, exactArithmetic } from '../numerics/roundingArithmetic.ts';
import { requireFinite, requireIntegerInRange, requirePositive } from '../validate.ts';
import { type Respacing, respacedIndices } from './respacing.ts';

/*
 * Schedules by name, rebuilt the way the libraries build them (MATH.md §7.2). Each builder
 * is written once against `Arithmetic<N>`: exact (float64 reference values), rounded
 * (emulating an implementation in float32, …) or bounded (running error bounds).
 *  - linear        β_i = linspace(β_0, β_1, T)_i                 (diffusers "linear"; Ho et al.)
 *                  with scale_with_T: β·1000/T                   (improved-diffusion "linear")
 *  - scaled_linear β_i = linspace(√β_0, √β_1, T)_i²              (diffusers "scaled_linear", Stable Diffusion)
 *  - cosine        β_i = min(1 − ā((i+1)/T)/ā(i/T), max_beta),   ā(τ) = cos²((τ + s)/(1 + s)·π/2)
 *                                                                (improved-diffusion "cosine", diffusers "squaredcos_cap_v2")
 *  - sigmoid       β_i = sigmoid(linspace(−6, 6, T)_i)(β_1 − β_0) + β_0   (diffusers "sigmoid")
 *  then ᾱ_t = ∏_{i≤t}(1 − β_i); optionally rescaled to zero terminal SNR (Lin et al. 2024, Alg. 1):
 *    √ᾱ'_t = (√ᾱ_t − √ᾱ_T)·√ᾱ_1/(√ᾱ_1 − √ᾱ_T), β'_t = 1 − ᾱ'_t/ᾱ'_{t−1}, re-accumulated;
 *  optionally respaced (improved-diffusion SpacedDiffusion): ᾱ'_k = ᾱ_{i_k} through
 *    β'_k = 1 − ᾱ_{i_k}/ᾱ_{i_{k−1}} and a new cumulative product.
 *  - edm           σ_i = (σ_max^{1/ρ} + i/(N−1)(σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ  (Karras et al. 2022, eq. 5),
 *                  reported as increasing σ; VP-equivalent ᾱ = 1/(1 + σ²)
 *  - flow          σ_k = shift·τ_k/(1 + (shift − 1)τ_k), τ_k = k/T, k = 1..T (SD3 / flow matching shift)
 */

export type NamedScheduleSpec =
  | BetaScheduleSpec
  | { readonly kind: 'edm'; readonly N: number; readonly sigma_min: number; readonly sigma_max: number; readonly rho: number }
  | { readonly kind: 'flow'; readonly T: number; readonly shift: number };

export type BetaScheduleSpec = (
  | { readonly kind: 'linear'; readonly T: number; readonly beta_start: number; readonly beta_end: number; readonly scale_with_T?: boolean }
  | { readonly kind: 'scaled_linear'; readonly T: number; readonly beta_start: number; readonly beta_end: number }
  | { readonly kind: 'cosine'; readonly T: number; readonly s?: number; readonly max_beta?: number }
  | { readonly kind: 'sigmoid'; readonly T: number; readonly beta_start: number; readonly beta_end: number }
) & {
  readonly zero_terminal_snr?: boolean;
  readonly respacing?: Respacing;
};

export const NAMED_SCHEDULE_KINDS = ['linear', 'scaled_linear', 'cosine', 'sigmoid', 'edm', 'flow'] as const;

/** What a named schedule's table holds: VP cumulative products, VE σ (x = x_0 + σε), or flow σ (x = (1−σ)x_0 + σε). */
export type TableRepresentation = 'alpha_bar' | 'sigma_ve' | 'sigma_flow';

export interface NamedTable<N> {
  readonly representation: TableRepresentation;
  /** The table in increasing noise order (the subject's first noisy step first). */
  readonly values: N[];
  /** β_t of a β schedule (after rescaling and respacing), same order. */
  readonly betas?: N[];
}

export function isBetaSchedule(spec: NamedScheduleSpec): spec is BetaScheduleSpec {
  return spec.kind === 'linear' || spec.kind === 'scaled_linear' || spec.kind === 'cosine' || spec.kind === 'sigmoid';
}

/** Validates a declared spec; every problem names the field (prefix `field`). */
export function requireNamedSchedule(spec: NamedScheduleSpec, field = 'schedule.named'): NamedScheduleSpec {
  if (spec === null || typeof spec !== 'object') throw new InvalidArgumentError(field, spec, 'must be an object {kind, …}');
  const k = spec.kind;
  if (!(NAMED_SCHEDULE_KINDS as readonly string[]).includes(k)) throw new InvalidArgumentError(`${field}.kind`, k, `must be one of ${NAMED_SCHEDULE_KINDS.join(', ')}`);
  if (spec.kind === 'edm') {
    requireIntegerInRange(`${field}.N`, spec.N, 2, 1e6);
    requirePositive(`${field}.sigma_min`, spec.sigma_min);
    requirePositive(`${field}.sigma_max`, spec.sigma_max);
    if (!(spec.sigma_max > spec.sigma_min)) throw new InvalidArgumentError(`${field}.sigma_max`, spec.sigma_max, `must exceed sigma_min = ${spec.sigma_min}`);
    requirePositive(`${field}.rho`, spec.rho);
    return spec;
  }
  if (spec.kind === 'flow') {
    requireIntegerInRange(`${field}.T`, spec.T, 1, 1e6);
    requirePositive(`${field}.shift`, spec.shift);
    return spec;
  }
  requireIntegerInRange(`${field}.T`, spec.T, 1, 1e6);
  if (spec.kind === 'cosine') {
    const s = spec.s ?? 0.008, mb = spec.max_beta ?? 0.999;
    requireFinite(`${field}.s`, s);
    if (!(s >= 0)) throw new InvalidArgumentError(`${field}.s`, s, 'must be ≥ 0');
    if (!(mb > 0 && mb <= 1)) throw new InvalidArgumentError(`${field}.max_beta`, mb, 'must lie in (0, 1]');
  } else {
    for (const key of ['beta_start', 'beta_end'] as const) {
      const v = spec[key];
      if (!(Number.isFinite(v) && v > 0 && v < 1)) throw new InvalidArgumentError(`${field}.${key}`, v, 'must lie in (0, 1)');
    }
  }
  if (spec.respacing !== undefined) respacedIndices(spec.T, spec.respacing, `${field}.respacing`);
  return spec;
}

/** torch/numpy linspace(a, b, n)_i = a + i·(b − a)/(n − 1); n = 1 gives [a]. */
function linspace<N>(A: Arithmetic<N>, a: N, b: N, n: number, i: number): N {
  if (n === 1) return a;
  const step = A.div(A.sub(b, a), A.int(n - 1));
  return A.add(a, A.mul(A.int(i), step));
}

/** β_1..β_T of a β schedule before rescaling and respacing. */
function baseBetas<N>(spec: BetaScheduleSpec, A: Arithmetic<N>): N[] {
  const T = spec.T;
  const out: N[] = [];
  switch (spec.kind) {
    case 'linear': {
      const k = spec.scale_with_T ? 1000 / T : 1;
      const b0 = A.c(spec.beta_start * k), b1 = A.c(spec.beta_end * k);
      for (let i = 0; i < T; i++) out.push(linspace(A, b0, b1, T, i));
      return out;
    }
    case 'scaled_linear': {
      const r0 = A.sqrt(A.c(spec.beta_start)), r1 = A.sqrt(A.c(spec.beta_end));
      for (let i = 0; i < T; i++) {
        const r = linspace(A, r0, r1, T, i);
        out.push(A.mul(r, r));
      }
      return out;
    }
    case 'cosine': {
      const s = A.c(spec.s ?? 0.008), maxBeta = A.c(spec.max_beta ?? 0.999);
      const one = A.int(1);
      const halfPi = A.c(Math.PI / 2);
      const abar = (i: number) => {
        const tau = A.div(A.int(i), A.int(T));
        const c = A.cos(A.mul(A.div(A.add(tau, s), A.add(one, s)), halfPi));
        return A.mul(c, c);
      };
      let prev = abar(0);
      for (let i = 0; i < T; i++) {
        const next = abar(i + 1);
        out.push(A.min(A.sub(one, A.div(next, prev)), maxBeta));
        prev = next;
      }
      return out;
    }
    case 'sigmoid': {
      const b0 = A.c(spec.beta_start), b1 = A.c(spec.beta_end);
      const span = A.sub(b1, b0);
      const lo = A.int(-6), hi = A.int(6), one = A.int(1);
      for (let i = 0; i < T; i++) {
        const x = linspace(A, lo, hi, T, i);
        const sig = A.div(one, A.add(one, A.exp(A.sub(A.int(0), x))));
        out.push(A.add(A.mul(sig, span), b0));
      }
      return out;
    }
  }
}

/** ᾱ_t = ∏_{i≤t}(1 − β_i), accumulated left to right. */
export function cumulativeProducts<N>(A: Arithmetic<N>, betas: readonly N[]): N[] {
  const one = A.int(1);
  const out: N[] = [];
  let p: N | undefined;
  for (const b of betas) {
    const alpha = A.sub(one, b);
    p = p === undefined ? alpha : A.mul(p, alpha);
    out.push(p);
  }
  return out;
}

/** β_t = 1 − ᾱ_t/ᾱ_{t−1} (ᾱ_0 = 1). */
function betasFromAlphaBars<N>(A: Arithmetic<N>, ab: readonly N[]): N[] {
  const one = A.int(1);
  return ab.map((v, i) => (i === 0 ? A.sub(one, v) : A.sub(one, A.div(v, ab[i - 1]))));
}

/** Lin et al. 2024, Algorithm 1 (diffusers rescale_zero_terminal_snr): returns the new betas. */
function rescaleZeroTerminalSnr<N>(A: Arithmetic<N>, betas: readonly N[]): N[] {
  const ab = cumulativeProducts(A, betas);
  const r = ab.map((v) => A.sqrt(v));
  const r0 = r[0], rT = r[r.length - 1];
  const k = A.div(r0, A.sub(r0, rT));
  const scaled = r.map((v) => A.mul(A.sub(v, rT), k));
  const ab2 = scaled.map((v) => A.mul(v, v));
  // alphas = [ᾱ'_1, ᾱ'_2/ᾱ'_1, …]; betas = 1 − alphas (the first as 1 − ᾱ'_1).
  return betasFromAlphaBars(A, ab2);
}

/** Builds the named table under arithmetic A (exact by default). */
export function namedScheduleTable<N>(spec: NamedScheduleSpec, A: Arithmetic<N>): NamedTable<N> {
  requireNamedSchedule(spec);
  if (spec.kind === 'edm') {
    const inv = 1 / spec.rho;
    const maxInv = A.pow(A.c(spec.sigma_max), inv), minInv = A.pow(A.c(spec.sigma_min), inv);
    const zero = A.int(0), one = A.int(1);
    const sig: N[] = [];
    for (let i = 0; i < spec.N; i++) {
      const ramp = linspace(A, zero, one, spec.N, i);
      sig.push(A.pow(A.add(maxInv, A.mul(ramp, A.sub(minInv, maxInv))), spec.rho));
    }
    return { representation: 'sigma_ve', values: sig.reverse() };
  }
  if (spec.kind === 'flow') {
    const shift = A.c(spec.shift), one = A.int(1);
    const sig: N[] = [];
    for (let k = 1; k <= spec.T; k++) {
      const tau = A.div(A.int(k), A.int(spec.T));
      sig.push(A.div(A.mul(shift, tau), A.add(one, A.mul(A.sub(shift, one), tau))));
    }
    return { representation: 'sigma_flow', values: sig };
  }
  let betas = baseBetas(spec, A);
  if (spec.zero_terminal_snr) betas = rescaleZeroTerminalSnr(A, betas);
  let ab = cumulativeProducts(A, betas);
  if (spec.respacing !== undefined) {
    const idx = respacedIndices(spec.T, spec.respacing);
    betas = betasFromAlphaBars(A, idx.map((i) => ab[i]));
    ab = cumulativeProducts(A, betas);
  }
  return { representation: 'alpha_bar', values: ab, betas };
}

/**
 * The table in another representation (same log-SNR λ): VP ᾱ = e^λ/(1 + e^λ) is 1/(1 + σ²) for
 * VE σ (λ = −2 log σ) and (1−σ)²/((1−σ)² + σ²) for flow σ (λ = 2 log((1−σ)/σ)).
 */
export function convertTable<N>(table: NamedTable<N>, to: TableRepresentation, A: Arithmetic<N>): NamedTable<N> {
  if (table.representation === to) return table;
  const one = A.int(1);
  const toAlphaBar = (v: N): N => {
    if (table.representation === 'sigma_ve') return A.div(one, A.add(one, A.mul(v, v)));
    const r = A.sub(one, v);
    const r2 = A.mul(r, r);
    return A.div(r2, A.add(r2, A.mul(v, v)));
  };
  if (to === 'alpha_bar') return { representation: to, values: table.values.map(toAlphaBar) };
  const ab = table.representation === 'alpha_bar' ? table.values : table.values.map(toAlphaBar);
  if (to === 'sigma_ve') return { representation: to, values: ab.map((v) => A.sqrt(A.div(A.sub(one, v), v))) };
  // flow σ from ᾱ: σ/(1−σ) = √((1−ᾱ)/ᾱ) =: k, σ = k/(1 + k).
  return { representation: to, values: ab.map((v) => { const k = A.sqrt(A.div(A.sub(one, v), v)); return A.div(k, A.add(one, k)); }) };
}

/** The exact (float64) table. */
export function namedScheduleValues(spec: NamedScheduleSpec): { representation: TableRepresentation; values: Float64Array; betas?: Float64Array } {
  const t = namedScheduleTable(spec, exactArithmetic);
  return { representation: t.representation, values: Float64Array.from(t.values), betas: t.betas ? Float64Array.from(t.betas) : undefined };
}

/** A one-line description, e.g. "cosine(T=1000, s=0.008, max_beta=0.999)". */
export function describeNamedSchedule(spec: NamedScheduleSpec): string {
  const { kind, ...rest } = spec as NamedScheduleSpec & Record<string, unknown>;
  const parts = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  return `${kind}(${parts.join(', ')})`;
}
