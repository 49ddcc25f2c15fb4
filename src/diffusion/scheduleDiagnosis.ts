import { minimizeScalar } from '../numerics/minimize.ts';
import { type Precision, unitRoundoff } from '../numerics/roundingArithmetic.ts';
import { type BetaScheduleSpec, type NamedScheduleSpec, type TableRepresentation, describeNamedSchedule, isBetaSchedule } from './namedSchedules.ts';
import { respacedIndices } from './respacing.ts';
import { boundRatio, compareTable, consistentPrecision, namedScheduleBounds, namedScheduleReference } from './scheduleComparison.ts';

/*
 * A verdict on a subject's schedule table against the named schedule it declares
 * (MATH.md §7.2): a match within the declared precision's rounding bound; a difference
 * that only a coarser precision's rounding explains ("your coefficients are float32");
 * or a real difference, explained where possible by the nearest of a catalogue of
 * alternatives (the same family with fitted parameters, the family people confuse it
 * with, the table shifted by one step, zero-terminal-SNR rescaling toggled, respacing done
 * with the base betas or off-by-one indices).
 */

export interface Explanation {
  /** What the table matches, e.g. "cosine with s = 0 (declared 0.008)". */
  readonly label: string;
  /** max_t |got − alternative|/|alternative|. */
  readonly relativeError: number;
  /** Whether the alternative reproduces the table within float32 rounding of its construction. */
  readonly withinRounding: boolean;
}

export type ScheduleVerdict =
  | { readonly kind: 'match'; readonly ratio: number; readonly maxRelativeError: number }
  | { readonly kind: 'rounding'; readonly ratio: number; readonly maxRelativeError: number; readonly worstIndex: number; readonly consistentWith: Precision }
  | { readonly kind: 'mismatch'; readonly ratio: number; readonly maxRelativeError: number; readonly worstIndex: number; readonly explanation?: Explanation }
  | { readonly kind: 'length'; readonly got: number; readonly expected: number; readonly explanation?: Explanation };

export interface ScheduleDiagnosis {
  readonly spec: NamedScheduleSpec;
  readonly representation: TableRepresentation;
  readonly declared: Precision;
  readonly verdict: ScheduleVerdict;
  /** log10 of the error-to-bound ratio at the declared precision (> 0 fails), in [−20, 20]; length mismatches: 20. */
  readonly margin: number;
  readonly message: string;
}

const ALTERNATIVE_PRECISION: Precision = 'float32';

interface Candidate {
  readonly label: string;
  readonly spec?: NamedScheduleSpec;
  readonly table?: Float64Array;
}

function relErr(got: ArrayLike<number>, ref: ArrayLike<number>, offsetGot = 0, offsetRef = 0, n = Math.min(got.length - offsetGot, ref.length - offsetRef)): number {
  let m = 0;
  for (let i = 0; i < n; i++) {
    const g = got[i + offsetGot], r = ref[i + offsetRef];
    m = Math.max(m, r === 0 ? Math.abs(g) : Math.abs(g - r) / Math.abs(r));
  }
  return m;
}

/** Root-mean-square relative error: a smooth objective for 1-D fits. */
export function rmsRel(got: ArrayLike<number>, ref: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < ref.length; i++) s += ref[i] === 0 ? got[i] ** 2 : ((got[i] - ref[i]) / ref[i]) ** 2;
  return Math.sqrt(s / ref.length);
}

/** β_t = 1 − ᾱ_t/ᾱ_{t−1} of a cumulative-product table. */
function betasOf(ab: ArrayLike<number>): Float64Array {
  return Float64Array.from(ab, (v, i) => 1 - v / (i === 0 ? 1 : ab[i - 1]));
}

/** Least-squares y ≈ c0 + c1 x. */
function lineFit(x: ArrayLike<number>, y: ArrayLike<number>): [number, number] {
  const n = x.length;
  let sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (let i = 0; i < n; i++) {
    sx += x[i]; sy += y[i]; sxx += x[i] * x[i]; sxy += x[i] * y[i];
  }
  const den = n * sxx - sx * sx;
  const c1 = den === 0 ? 0 : (n * sxy - sx * sy) / den;
  return [(sy - c1 * sx) / n, c1];
}

const fmt = (x: number) => (x === 0 ? '0' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? String(Number(x.toPrecision(4))) : x.toExponential(3));

/** β-schedule families refitted to the table's own betas (closed-form least squares). */
function refits(got: Float64Array, spec: BetaScheduleSpec): Candidate[] {
  if (spec.respacing !== undefined || spec.zero_terminal_snr) return [];
  const T = spec.T;
  const b = betasOf(got);
  if (!b.every((v) => v > 0 && v < 1)) return [];
  const pos = Float64Array.from({ length: T }, (_, i) => (T === 1 ? 0 : i / (T - 1)));
  const out: Candidate[] = [];
  const declared = spec.kind === 'cosine' ? `s = ${spec.s ?? 0.008}` : 'beta_start' in spec ? `β from ${fmt(spec.beta_start)} to ${fmt(spec.beta_end)}` : '';
  const lin = (kind: 'linear' | 'scaled_linear', c0: number, c1: number, note: string): Candidate | undefined => {
    const [b0, b1] = kind === 'linear' ? [c0, c0 + c1] : [c0 * c0, (c0 + c1) ** 2];
    if (!(b0 > 0 && b0 < 1 && b1 > 0 && b1 < 1)) return undefined;
    const alt: NamedScheduleSpec = { kind, T, beta_start: b0, beta_end: b1 };
    return { label: `${kind} with β from ${fmt(b0)} to ${fmt(b1)}${note}`, spec: alt };
  };
  const [l0, l1] = lineFit(pos, b);
  const [q0, q1] = lineFit(pos, b.map(Math.sqrt));
  const note = (k: string) => (k === spec.kind ? ` (declared ${declared})` : ` (declared ${spec.kind})`);
  for (const c of [lin('linear', l0, l1, note('linear')), lin('scaled_linear', q0, q1, note('scaled_linear'))]) if (c) out.push(c);
  if (spec.kind === 'cosine') {
    // minimizeScalar evaluates f on [0, 0.2] only and returns 0 itself for a minimum there.
    const f = (s: number) => rmsRel(got, namedScheduleReference({ ...spec, s }, 'alpha_bar'));
    const fit = minimizeScalar(f, 0, 0.2, 1e-10);
    // Prefer 0 or the fit's 2-digit rounding when no worse (a readable label).
    const s = [0, Number(fit.toPrecision(2)), fit].reduce((a, b) => (f(b) < f(a) ? b : a));
    out.push({ label: `cosine with s = ${fmt(s)} (declared ${spec.s ?? 0.008})`, spec: { ...spec, s } });
  }
  if (spec.kind === 'linear') out.push({ label: `linear ${spec.scale_with_T ? 'without' : 'with'} the 1000/T scaling of improved-diffusion`, spec: { ...spec, scale_with_T: !spec.scale_with_T } });
  return out;
}

function structural(spec: NamedScheduleSpec): Candidate[] {
  if (!isBetaSchedule(spec)) {
    if (spec.kind === 'flow') return [{ label: 'flow without the shift (shift = 1)', spec: { ...spec, shift: 1 } }];
    return [{ label: 'edm with σ_min and σ_max swapped', spec: { ...spec, sigma_min: spec.sigma_max, sigma_max: spec.sigma_min } }];
  }
  const out: Candidate[] = [{ label: `${spec.zero_terminal_snr ? 'without' : 'with'} zero-terminal-SNR rescaling`, spec: { ...spec, zero_terminal_snr: !spec.zero_terminal_snr } }];
  if (spec.respacing !== undefined) {
    const idx = respacedIndices(spec.T, spec.respacing);
    const base = namedScheduleReference({ ...spec, respacing: undefined }, 'alpha_bar');
    const baseBetas = betasOf(base);
    let p = 1;
    out.push({ label: 'respaced with the base β at the kept steps (β′_k = β_{i_k} instead of 1 − ᾱ_{i_k}/ᾱ_{i_{k−1}})', table: Float64Array.from(idx, (i) => (p *= 1 - baseBetas[i])) });
    for (const shift of [1, -1]) {
      if (idx.every((i) => i + shift >= 0 && i + shift < spec.T)) out.push({ label: `respaced at base steps shifted by ${shift > 0 ? '+' : ''}${shift}`, table: Float64Array.from(idx, (i) => base[i + shift]) });
    }
  }
  return out;
}

/**
 * An alternative explains the table when it reproduces it within float32 rounding of its own
 * construction; a table-only alternative (a respacing variant) borrows the declared
 * construction's float32 bounds, which have the same magnitudes step by step.
 */
function evaluate(got: Float64Array, c: Candidate, representation: TableRepresentation, declaredBound: Float64Array): Explanation | undefined {
  try {
    const table = c.table ?? namedScheduleReference(c.spec!, representation);
    if (table.length !== got.length) return undefined;
    const bound = c.spec ? namedScheduleBounds(c.spec, representation, ALTERNATIVE_PRECISION) : declaredBound;
    return { label: c.label, relativeError: relErr(got, table), withinRounding: boundRatio(got, table, bound).ratio <= 1 };
  } catch {
    return undefined;
  }
}

/**
 * The table shifted by one step against the declared one (an ᾱ_0 = 1 prepended, or the first
 * step dropped), judged on the overlap with the declared construction's float32 bounds.
 */
function shifted(got: Float64Array, expected: Float64Array, bound: Float64Array): Explanation | undefined {
  const options: Explanation[] = [];
  const judge = (label: string, g0: number, r0: number) => {
    const n = Math.min(got.length - g0, expected.length - r0);
    if (n < 1) return;
    const g = got.subarray(g0, g0 + n), r = expected.subarray(r0, r0 + n), b = bound.subarray(r0, r0 + n);
    options.push({ label, relativeError: relErr(g, r), withinRounding: boundRatio(g, r, b).ratio <= 1 });
  };
  judge(`the declared table one step late (first entry ${fmt(got[0])}${got[0] === 1 ? ' = ᾱ_0' : ''}, then the declared ᾱ_1, …)`, 1, 0);
  judge('the declared table one step early (its first entry dropped)', 0, 1);
  return options.sort((a, b) => Number(b.withinRounding) - Number(a.withinRounding) || a.relativeError - b.relativeError)[0];
}

function best(xs: (Explanation | undefined)[]): Explanation | undefined {
  return xs.filter((x): x is Explanation => x !== undefined).sort((a, b) => Number(b.withinRounding) - Number(a.withinRounding) || a.relativeError - b.relativeError)[0];
}

/** Classifies the subject's table against its declared named schedule. */
export function diagnoseSchedule(table: ArrayLike<number>, spec: NamedScheduleSpec, representation: TableRepresentation, declared: Precision): ScheduleDiagnosis {
  const got = Float64Array.from(table);
  const expected = namedScheduleReference(spec, representation);
  const name = describeNamedSchedule(spec);
  const float32Bound = namedScheduleBounds(spec, representation, ALTERNATIVE_PRECISION);
  if (got.length !== expected.length) {
    const explanation = shifted(got, expected, float32Bound);
    const verdict: ScheduleVerdict = { kind: 'length', got: got.length, expected: expected.length, explanation };
    return {
      spec, representation, declared, verdict, margin: 20,
      message: `the table has ${got.length} entries, ${name} has ${expected.length}${explanation ? `; nearest: ${explanation.label} (relative error ${fmt(explanation.relativeError)})` : ''}`,
    };
  }
  const cmp = compareTable(got, spec, representation, declared);
  const margin = cmp.ratio === 0 ? -20 : Math.max(-20, Math.min(20, Math.log10(cmp.ratio)));
  const w = cmp.worstIndex, ew = cmp.expected[w];
  const relAt = ew === 0 ? Math.abs(got[w]) : Math.abs(got[w] - ew) / Math.abs(ew);
  const at = `entry ${w} (got ${got[w]}, expected ${ew}: relative ${fmt(relAt)}, the largest against its rounding bound; largest relative error anywhere ${fmt(cmp.maxRelativeError)})`;
  if (cmp.ratio <= 1) {
    return { spec, representation, declared, margin, verdict: { kind: 'match', ratio: cmp.ratio, maxRelativeError: cmp.maxRelativeError }, message: `matches ${name} within ${declared} rounding (largest relative error ${fmt(cmp.maxRelativeError)})` };
  }
  const coarse = consistentPrecision(got, spec, representation, declared);
  if (coarse !== undefined) {
    return {
      spec, representation, declared, margin,
      verdict: { kind: 'rounding', ratio: cmp.ratio, maxRelativeError: cmp.maxRelativeError, worstIndex: cmp.worstIndex, consistentWith: coarse },
      message:
        `your coefficients are ${coarse}: the table differs at ${at}, ` +
        `consistent with ${coarse} rounding of ${name} (u = ${fmt(unitRoundoff(coarse))}) but ${fmt(cmp.ratio)}× the ${declared} rounding bound — declare coefficient_precision "${coarse}" if that is intended`,
    };
  }
  const candidates = [...(isBetaSchedule(spec) && representation === 'alpha_bar' ? refits(got, spec) : []), ...structural(spec)];
  const explanation = best([...candidates.map((c) => evaluate(got, c, representation, float32Bound)), shifted(got, expected, float32Bound)]);
  return {
    spec, representation, declared, margin,
    verdict: { kind: 'mismatch', ratio: cmp.ratio, maxRelativeError: cmp.maxRelativeError, worstIndex: cmp.worstIndex, explanation },
    message:
      `not ${name}: it differs at ${at}, beyond float32 rounding of its coefficients` +
      (explanation ? `; ${explanation.withinRounding ? 'it matches' : 'nearest'}: ${explanation.label} (relative error ${fmt(explanation.relativeError)})` : ''),
  };
}
