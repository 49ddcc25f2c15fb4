import { InvalidArgumentError, NonFiniteError } from '../errors.ts';
import { requireFinite } from '../validate.ts';

/*
 * Adaptive Gauss–Kronrod G7–K15 (QUADPACK QAG rule), vector-valued: the integrand
 * returns m numbers per abscissa and every component is integrated with the same
 * nodes (so Monte Carlo per-sample integrals share the quadrature of their mean).
 * The error of an interval is QUADPACK's estimate
 *   err = resasc · min(1, (200 |K15 − G7| / resasc)^{3/2}),  ≥ 50 ε resabs,
 * computed on the `control` components only; the worst interval is bisected until
 * the summed error ≤ max(absTol, relTol · |I|) on every control component.
 */

/** K15 abscissae (positive half, last is the centre). */
const XGK = [
  0.991455371120812639206854697526329, 0.949107912342758524526189684047851, 0.864864423359769072789712788640926,
  0.741531185599394439863864773280788, 0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
  0.207784955007898467600689403773245, 0,
];
const WGK = [
  0.02293532201052922496373200805897, 0.063092092629978553290700663189204, 0.104790010322250183839876322541518,
  0.140653259715525918745189590510238, 0.16900472663926790282658342659855, 0.190350578064785409913256402421014,
  0.204432940075298892414161999234649, 0.209482141084727828012999174891714,
];
/** G7 weights at XGK[1], XGK[3], XGK[5] and the centre XGK[7]. */
const WG = [0.129484966168869693270611432679082, 0.27970539148927666790146777142378, 0.381830050505118944950369775488975, 0.417959183673469387755102040816327];

const EPS = Number.EPSILON;

export type VectorIntegrand = (x: number) => ArrayLike<number>;

export interface AdaptiveOptions {
  readonly absTol?: number;
  readonly relTol?: number;
  /** Number of equal pieces the interval starts from (default 1). */
  readonly initialPieces?: number;
  /** Largest number of subintervals (default 2000). */
  readonly maxIntervals?: number;
  /** Component indices whose error drives refinement (default: all). */
  readonly control?: readonly number[];
}

export interface VectorIntegral {
  readonly value: Float64Array;
  /** QUADPACK error estimate per component (conservative). */
  readonly error: Float64Array;
  readonly intervals: number;
  readonly evaluations: number;
  /** Did every control component meet its tolerance? */
  readonly converged: boolean;
}

interface Piece {
  readonly a: number;
  readonly b: number;
  readonly value: Float64Array;
  readonly error: Float64Array;
  /** Max over control components of error / (its share of the tolerance), for ordering. */
  worst: number;
}

function rule(f: VectorIntegrand, a: number, b: number, m: number): { value: Float64Array; error: Float64Array } {
  const c = 0.5 * (a + b), h = 0.5 * (b - a);
  // Copied per abscissa: an integrand may reuse its output buffer.
  const fx: Float64Array[] = new Array(15);
  const xs = new Float64Array(15);
  for (let j = 0; j < 7; j++) {
    xs[2 * j] = c - h * XGK[j];
    xs[2 * j + 1] = c + h * XGK[j];
  }
  xs[14] = c;
  for (let i = 0; i < 15; i++) {
    const v = f(xs[i]);
    if (v.length !== m) throw new InvalidArgumentError('integrand', v.length, `must return ${m} values at every abscissa`);
    for (let k = 0; k < m; k++) if (!Number.isFinite(v[k])) throw new NonFiniteError(`integrand[${k}] at x=${xs[i]}`, v[k]);
    fx[i] = Float64Array.from(v as ArrayLike<number>);
  }
  const value = new Float64Array(m), error = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const fc = fx[14][k];
    let resk = WGK[7] * fc, resg = WG[3] * fc, resabs = Math.abs(resk);
    for (let j = 0; j < 7; j++) {
      const f1 = fx[2 * j][k], f2 = fx[2 * j + 1][k];
      resk += WGK[j] * (f1 + f2);
      resabs += WGK[j] * (Math.abs(f1) + Math.abs(f2));
      if (j % 2 === 1) resg += WG[(j - 1) / 2] * (f1 + f2);
    }
    const mean = 0.5 * resk;
    let resasc = WGK[7] * Math.abs(fc - mean);
    for (let j = 0; j < 7; j++) resasc += WGK[j] * (Math.abs(fx[2 * j][k] - mean) + Math.abs(fx[2 * j + 1][k] - mean));
    resasc *= Math.abs(h);
    resabs *= Math.abs(h);
    let err = Math.abs((resk - resg) * h);
    if (resasc !== 0 && err !== 0) err = resasc * Math.min(1, (200 * err / resasc) ** 1.5);
    if (resabs > Number.MIN_VALUE / (50 * EPS)) err = Math.max(50 * EPS * resabs, err);
    value[k] = resk * h;
    error[k] = err;
  }
  return { value, error };
}

/** ∫_a^b f(x) dx for a vector-valued f, adaptively (see file comment). */
export function integrateVector(f: VectorIntegrand, a: number, b: number, m: number, opts: AdaptiveOptions = {}): VectorIntegral {
  requireFinite('integrate.a', a);
  requireFinite('integrate.b', b);
  if (!(b > a)) throw new InvalidArgumentError('integrate.b', b, `must exceed a = ${a}`);
  const absTol = opts.absTol ?? 1e-12, relTol = opts.relTol ?? 1e-12;
  if (!(absTol >= 0) || !(relTol >= 0) || absTol + relTol === 0) throw new InvalidArgumentError('integrate.tolerance', { absTol, relTol }, 'need absTol ≥ 0, relTol ≥ 0, not both 0');
  const maxIntervals = opts.maxIntervals ?? 2000;
  const control = opts.control ?? Array.from({ length: m }, (_, k) => k);
  const pieces = opts.initialPieces ?? 1;
  const list: Piece[] = [];
  let evaluations = 0;
  const add = (lo: number, hi: number) => {
    const r = rule(f, lo, hi, m);
    evaluations += 15;
    list.push({ a: lo, b: hi, value: r.value, error: r.error, worst: 0 });
  };
  for (let i = 0; i < pieces; i++) add(a + ((b - a) * i) / pieces, i === pieces - 1 ? b : a + ((b - a) * (i + 1)) / pieces);
  const total = new Float64Array(m), totalErr = new Float64Array(m);
  let converged = false;
  for (;;) {
    total.fill(0);
    totalErr.fill(0);
    for (const p of list) for (let k = 0; k < m; k++) {
      total[k] += p.value[k];
      totalErr[k] += p.error[k];
    }
    converged = control.every((k) => totalErr[k] <= Math.max(absTol, relTol * Math.abs(total[k])));
    if (converged || list.length >= maxIntervals) break;
    // Bisect the interval contributing most to the worst control component's error ratio.
    let worstIdx = 0, worstVal = -1;
    for (let i = 0; i < list.length; i++) {
      let w = 0;
      for (const k of control) w = Math.max(w, list[i].error[k] / Math.max(absTol, relTol * Math.abs(total[k]), Number.MIN_VALUE));
      if (w > worstVal) {
        worstVal = w;
        worstIdx = i;
      }
    }
    const p = list[worstIdx];
    const mid = 0.5 * (p.a + p.b);
    if (!(mid > p.a && mid < p.b)) break; // interval at machine resolution
    list.splice(worstIdx, 1);
    add(p.a, mid);
    add(mid, p.b);
  }
  return { value: Float64Array.from(total), error: Float64Array.from(totalErr), intervals: list.length, evaluations, converged };
}

export interface ScalarIntegral {
  readonly value: number;
  readonly error: number;
  readonly intervals: number;
  readonly evaluations: number;
  readonly converged: boolean;
}

/** ∫_a^b f(x) dx, adaptive G7–K15 with QUADPACK's error estimate. */
export function integrate(f: (x: number) => number, a: number, b: number, opts: AdaptiveOptions = {}): ScalarIntegral {
  const buf = new Float64Array(1);
  const r = integrateVector((x) => {
    buf[0] = f(x);
    return buf;
  }, a, b, 1, { ...opts, control: [0] });
  return { value: r.value[0], error: r.error[0], intervals: r.intervals, evaluations: r.evaluations, converged: r.converged };
}
