import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { centralDifference } from '../../properties/support/finiteDifference.ts';
import { forEachStandardNormalNode, standardNormalExpectation } from '../../properties/support/gaussianQuadrature.ts';
import { gaussianOfDim, simpleDouble } from '../arbitraries/index.ts';
import { type Weighting, lossWeight } from '../diffusion/lossWeighting.ts';
import { type NoiseLevel, noiseLevel, vpLevel } from '../diffusion/noiseLevel.ts';
import type { Parameterization } from '../diffusion/parameterization.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { type Matrix, cholesky, matmul, spdInverse, transpose } from '../linalg/index.ts';
import {
  type ConditionalLoss, type InputOptimizationSetting, conditionalInputGradient, directionalInputGradientMoments, inputGradientsAtLevel,
  weightedInputGradients,
} from './inputOptimization.ts';

/*
 * Direct checks of the public input-optimization functions (MATH.md §7.6) against routes that share no
 * algebra with them: the per-sample loss written from each parameterization's definition and
 * differentiated numerically, and Gaussian expectations by the tensor 3-point Gauss–Hermite rule
 * (exact for the degree-4 polynomials E D, E D², DSM here).
 */

const mat = (rows: number, cols: number, bound: number) =>
  fc.array(simpleDouble(-bound, bound, 2), { minLength: rows * cols, maxLength: rows * cols }).map((v): Matrix => ({ rows, cols, data: Float64Array.from(v) }));
const vec = (n: number, bound: number) => fc.array(simpleDouble(-bound, bound, 2), { minLength: n, maxLength: n }).map((v) => Float64Array.from(v));
const parameterizations = fc.constantFrom<Parameterization>('eps', 'x0', 'v', 'score');
const weightings = fc.constantFrom<Weighting>({ kind: 'unit' }, { kind: 'snr' }, { kind: 'min_snr_over_snr', gamma: 5 });
/** VP levels (corners near both ends) and general (a, s) levels, a < 1 so that the weighting's ᾱ = a² is valid. */
const levelArb = fc.oneof(
  fc.constantFrom(0.5, 0.98, 0.02).map((ab) => vpLevel(ab)),
  fc.tuple(simpleDouble(0.1, 0.95, 2), simpleDouble(0.1, 2, 2)).map(([a, s]) => noiseLevel(a, s)),
);

const settingArb = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 })).chain(([d, k]) =>
  fc.record({
    data: gaussianOfDim(d, { maxConditionNumber: 30, centreRange: 1, meanBound: 1 }),
    encoder: fc.record({ B: mat(k, d, 1.5), b: vec(k, 1), tau: simpleDouble(0.2, 2, 2) }),
    network: fc.record({ W: mat(d, d, 0.8), U: mat(d, k, 0.8), b: vec(d, 0.5) }),
    parameterization: parameterizations,
    weighting: weightings,
    reduction: fc.constantFrom<'mean' | 'sum'>('mean', 'sum'),
  }),
);

/** target_P from each parameterization's definition: ε; x₀; v = aε − s x₀ (Salimans & Ho 2022); score −ε/s. */
function textbookTarget(p: Parameterization, { a, s }: NoiseLevel, x0: ArrayLike<number>, eps: ArrayLike<number>): Float64Array {
  return Float64Array.from(x0, (x, i) => (p === 'eps' ? eps[i] : p === 'x0' ? x : p === 'v' ? a * eps[i] - s * x : -eps[i] / s));
}

/** (2λ/d′)·(f − target_P) with f = W(a x₀ + s ε) + U c + b_f: the scaled residual X of D = XᵀY. */
function scaledResidual(loss: ConditionalLoss, level: NoiseLevel, x0: ArrayLike<number>, eps: ArrayLike<number>, c: ArrayLike<number>): Float64Array {
  const d = x0.length, k = c.length, { W, U, b } = loss.network;
  const target = textbookTarget(loss.parameterization, level, x0, eps);
  const lam = lossWeight(loss.weighting, level.a ** 2) / (loss.reduction === 'mean' ? d : 1);
  const out = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let f = b[i];
    for (let j = 0; j < d; j++) f += W.data[i * d + j] * (level.a * x0[j] + level.s * eps[j]);
    for (let q = 0; q < k; q++) f += U.data[i * k + q] * c[q];
    out[i] = 2 * lam * (f - target[i]);
  }
  return out;
}

/** ℓ = (λ/d′)‖f − target_P‖² = ‖X‖²/(4λ/d′). */
function sampleLoss(loss: ConditionalLoss, level: NoiseLevel, x0: ArrayLike<number>, eps: ArrayLike<number>, c: ArrayLike<number>): number {
  const lam = lossWeight(loss.weighting, level.a ** 2) / (loss.reduction === 'mean' ? x0.length : 1);
  let s = 0;
  for (const r of scaledResidual(loss, level, x0, eps, c)) s += r * r;
  return s / (4 * lam);
}

/** The node g = (g_x, ξ, ε) of N(0, I_{2d+k}) mapped to one draw: x₀ = μ + L g_x, c = B x₀ + b + τξ. */
function drawAt(s: InputOptimizationSetting, L: Matrix, g: Float64Array) {
  const d = s.data.dim, k = s.encoder.B.rows;
  const x0 = Float64Array.from(s.data.mean);
  for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) x0[i] += L.data[i * d + j] * g[j];
  const c = new Float64Array(k);
  for (let q = 0; q < k; q++) {
    c[q] = s.encoder.b[q] + s.encoder.tau * g[d + q];
    for (let j = 0; j < d; j++) c[q] += s.encoder.B.data[q * d + j] * x0[j];
  }
  return { x0, c, eps: g.subarray(d + k, 2 * d + k) };
}

describe('conditionalInputGradient: ∂ℓ/∂c against a central difference of the loss written from its definition', () => {
  const h = 1e-3;
  /** The comparison: every entry within the central difference's rounding (~ε|ℓ|/h), relative 1e−10 of |ℓ|/h. */
  const agrees = (grad: (loss: ConditionalLoss) => Float64Array, s: InputOptimizationSetting, level: NoiseLevel, x0: Float64Array, eps: Float64Array, c: Float64Array) => {
    const fd = centralDifference(c, (cc) => sampleLoss(s, level, x0, eps, cc), h);
    const g = grad(s), tol = 1e-10 * (Math.abs(sampleLoss(s, level, x0, eps, c)) / h + 1);
    return g.every((v, i) => Math.abs(v - fd[i]) <= tol);
  };

  test.prop([settingArb.chain((s) => fc.tuple(fc.constant(s), vec(s.data.dim, 2), vec(s.data.dim, 2), vec(s.encoder.B.rows, 2))), levelArb], { numRuns: 150 })(
    'equals the central difference for every parameterization, weighting and reduction',
    ([s, x0, eps, c], level) => {
      expect(agrees((loss) => conditionalInputGradient(loss, level, x0, eps, c), s, level, x0, eps, c)).toBe(true);
    },
  );

  it('negative control: a dropped factor 2 and a v-loss differentiated as an ε-loss are rejected', () => {
    const s = fc.sample(settingArb, { seed: 7, numRuns: 1 })[0];
    const d = s.data.dim, k = s.encoder.B.rows, level = vpLevel(0.5);
    const x0 = Float64Array.from({ length: d }, (_, i) => 0.7 - 0.4 * i), eps = Float64Array.from({ length: d }, (_, i) => 0.3 + 0.5 * i);
    const c = Float64Array.from({ length: k }, (_, i) => 1 - i);
    const v: InputOptimizationSetting = { ...s, parameterization: 'v', network: { ...s.network, U: { ...s.network.U, data: s.network.U.data.map((u) => u + 0.5) } } };
    expect(agrees((loss) => conditionalInputGradient(loss, level, x0, eps, c), v, level, x0, eps, c)).toBe(true);
    expect(agrees((loss) => conditionalInputGradient(loss, level, x0, eps, c).map((g) => g / 2), v, level, x0, eps, c)).toBe(false);
    expect(agrees((loss) => conditionalInputGradient({ ...loss, parameterization: 'eps' }, level, x0, eps, c), v, level, x0, eps, c)).toBe(false);
  });
});

/** E D, E D² of D = ⟨∂ℓ/∂c, V x₀ + v⟩ by quadrature, plus μ_X, μ_Y, C_XY = Cov(X, Y) of X = scaled residual, Y = U(V x₀ + v). */
function directionalByQuadrature(s: InputOptimizationSetting, level: NoiseLevel, V: Float64Array, v: Float64Array) {
  const d = s.data.dim, k = s.encoder.B.rows, n = 2 * d + k;
  const L = cholesky(s.data.cov);
  let m1 = 0, m2 = 0, worstProduct = 0;
  const muX = new Float64Array(d), muY = new Float64Array(d), EXY = new Float64Array(d * d);
  forEachStandardNormalNode(n, (g, w) => {
    const { x0, c, eps } = drawAt(s, L, g);
    const grad = conditionalInputGradient(s, level, x0, eps, c);
    const dir = Float64Array.from(v);
    for (let q = 0; q < k; q++) for (let j = 0; j < d; j++) dir[q] += V[q * d + j] * x0[j];
    let D = 0;
    for (let q = 0; q < k; q++) D += grad[q] * dir[q];
    m1 += w * D;
    m2 += w * D * D;
    const X = scaledResidual(s, level, x0, eps, c), Y = new Float64Array(d);
    let xy = 0;
    for (let i = 0; i < d; i++) {
      for (let q = 0; q < k; q++) Y[i] += s.network.U.data[i * k + q] * dir[q];
      xy += X[i] * Y[i];
    }
    worstProduct = Math.max(worstProduct, Math.abs(xy - D) / Math.max(1, Math.abs(D)));
    for (let i = 0; i < d; i++) {
      muX[i] += w * X[i];
      muY[i] += w * Y[i];
      for (let j = 0; j < d; j++) EXY[i * d + j] += w * X[i] * Y[j];
    }
  });
  let cross = 0, transposedCross = 0;
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    const cxy = EXY[i * d + j] - muX[i] * muY[j];
    cross += muY[i] * cxy * muX[j];
    transposedCross += muX[i] * cxy * muY[j];
  }
  return { mean: m1, secondMoment: m2, variance: m2 - m1 * m1, worstProduct, cross, transposedCross };
}

describe('directionalInputGradientMoments: exact mean and variance of D against Gauss–Hermite quadrature of the per-sample gradient', () => {
  /** Quadrature is exact up to rounding: relative 1e−9 of E D² (≥ the variance and the squared mean). */
  const agrees = (got: { mean: number; variance: number }, q: { mean: number; variance: number; secondMoment: number }) => {
    const scale = q.secondMoment + 1e-300;
    return Math.abs(got.mean - q.mean) <= 1e-9 * Math.sqrt(scale) && Math.abs(got.variance - q.variance) <= 1e-9 * scale;
  };
  const caseArb = settingArb.chain((s) => fc.tuple(fc.constant(s), vec(s.encoder.B.rows * s.data.dim, 1.5), vec(s.encoder.B.rows, 1.5)));

  test.prop([caseArb, levelArb], { numRuns: 40 })('mean and variance equal the quadrature (all parameterizations, weightings, reductions)', ([s, V, v], level) => {
    const q = directionalByQuadrature(s, level, V, v);
    expect(q.worstProduct).toBeLessThan(1e-12); // D = XᵀY at every node: the decomposition below is the same D
    expect(agrees(directionalInputGradientMoments(s, level, V, v), q)).toBe(true);
  });

  it('negative control: the transposed Isserlis cross term (2μ_XᵀC_XYμ_Y, the bug fixed in 683cacf) and a dropped encoder noise are rejected', () => {
    const data = new Gaussian(Float64Array.of(0.8, -0.6), { rows: 2, cols: 2, data: Float64Array.of(1, 0.3, 0.3, 0.5) });
    const s: InputOptimizationSetting = {
      data,
      encoder: { B: { rows: 2, cols: 2, data: Float64Array.of(1.2, -0.4, 0.3, 0.9) }, b: Float64Array.of(0.5, -0.2), tau: 0.7 },
      network: { W: { rows: 2, cols: 2, data: Float64Array.of(0.2, 0.5, -0.3, 0.1) }, U: { rows: 2, cols: 2, data: Float64Array.of(0.6, -0.2, 0.4, 0.7) }, b: [0.3, -0.1] },
      parameterization: 'eps', weighting: { kind: 'unit' }, reduction: 'mean',
    };
    const level = vpLevel(0.5), V = Float64Array.of(0.5, 1, -0.7, 0.2), v = Float64Array.of(1, 0.4);
    const q = directionalByQuadrature(s, level, V, v);
    const got = directionalInputGradientMoments(s, level, V, v);
    expect(agrees(got, q)).toBe(true);
    // The cross terms differ here (C_XY is not symmetric), so the transposed variance is a distinct wrong value.
    expect(Math.abs(q.cross - q.transposedCross)).toBeGreaterThan(1e-3 * q.secondMoment);
    expect(agrees({ mean: got.mean, variance: got.variance - 2 * q.cross + 2 * q.transposedCross }, q)).toBe(false);
    expect(agrees(directionalInputGradientMoments({ ...s, encoder: { ...s.encoder, tau: 1e-6 } }, level, V, v), q)).toBe(false);
  });
});

/** κ, the slope of the P-output in the score, from the definitions: ε = −s·∇log q, x₀ = (x + s²∇log q)/a, v = aε − s x₀. */
function textbookSlope(p: Parameterization, { a, s }: NoiseLevel): number {
  return p === 'eps' ? -s : p === 'x0' ? (s * s) / a : p === 'v' ? -s * (a * a + s * s) / a : 1;
}

/** tr K = tr((a²Σ_{x|c} + s²I)⁻¹) with Σ_{x|c} = Σ − ΣBᵀ(BΣBᵀ + τ²I)⁻¹BΣ (the Schur-complement form). */
function scoreNormSchur(s: InputOptimizationSetting, level: NoiseLevel): number {
  const d = s.data.dim, k = s.encoder.B.rows, Sig = s.data.cov, B = s.encoder.B;
  const SBt = matmul(Sig, transpose(B)), C = matmul(B, SBt);
  for (let q = 0; q < k; q++) C.data[q * k + q] += s.encoder.tau ** 2;
  const gain = matmul(SBt, matmul(spdInverse(C), transpose(SBt)));
  const K = { rows: d, cols: d, data: Float64Array.from(Sig.data, (x, i) => level.a ** 2 * (x - gain.data[i]) + (i % (d + 1) === 0 ? level.s ** 2 : 0)) };
  const Kinv = spdInverse({ ...K, data: Float64Array.from(K.data, (x, i) => 0.5 * (x + K.data[(i % d) * d + Math.floor(i / d)])) });
  let tr = 0;
  for (let i = 0; i < d; i++) tr += Kinv.data[i * d + i];
  return tr;
}

describe('weightedInputGradients: Σ_t p_t of the level gradients against central differences of the weighted DSM and ESM', () => {
  /** DSM_P = E ℓ by quadrature; ESM_P = DSM_P − (λκ²/d′)(d/s² − tr K) (Theorem 2, checked against the ESM closed form in properties/). */
  const objectives = (s: InputOptimizationSetting, level: NoiseLevel) => {
    const d = s.data.dim, L = cholesky(s.data.cov);
    const dsm = standardNormalExpectation(2 * d + s.encoder.B.rows, (g) => {
      const { x0, c, eps } = drawAt(s, L, g);
      return sampleLoss(s, level, x0, eps, c);
    });
    const factor = (lossWeight(s.weighting, level.a ** 2) / (s.reduction === 'mean' ? d : 1)) * textbookSlope(s.parameterization, level) ** 2;
    return { dsm, esm: dsm - factor * (d / level.s ** 2 - scoreNormSchur(s, level)), trK: scoreNormSchur(s, level), factor };
  };
  const withEncoder = (s: InputOptimizationSetting, theta: Float64Array): InputOptimizationSetting => {
    const kd = s.encoder.B.data.length;
    return { ...s, encoder: { ...s.encoder, B: { ...s.encoder.B, data: theta.slice(0, kd) }, b: theta.slice(kd) } };
  };
  const fdCheck = (s: InputOptimizationSetting, levels: { level: NoiseLevel; p: number }[], got: ReturnType<typeof weightedInputGradients>) => {
    const theta = Float64Array.from([...s.encoder.B.data, ...s.encoder.b]);
    // h in units of τ, the scale on which tr K varies with B: truncation ~(h/τ)⁴·factor/τ ≪ 1e−7·scale.
    const h = 1e-3 * Math.min(1, s.encoder.tau);
    const totals = new Map<string, { dsm: number; esm: number }>();
    const fdOf = (key: 'dsm' | 'esm') => centralDifference(theta, (th) => {
      const id = th.join(); // DSM and ESM share one quadrature per θ
      if (!totals.has(id)) {
        const t = { dsm: 0, esm: 0 };
        for (const { level, p } of levels) {
          const o = objectives(withEncoder(s, th), level);
          t.dsm += p * o.dsm;
          t.esm += p * o.esm;
        }
        totals.set(id, t);
      }
      return totals.get(id)![key];
    }, h);
    const scale = Math.max(1, ...levels.map(({ level }) => {
      const o = objectives(s, level);
      return Math.abs(o.dsm) + o.factor * s.data.dim / level.s ** 2;
    }));
    // DSM is quadratic in (B, b): rounding only, ~ε·scale/h ≈ 1e−12·scale; ESM adds the smooth tr K.
    return (['dsm', 'esm'] as const).every((key) => {
      const fd = fdOf(key);
      return [...got[key].B.data, ...got[key].b].every((v, i) => Math.abs(v - fd[i]) <= 1e-7 * scale);
    });
  };
  const levelsArb = fc.array(fc.tuple(levelArb, fc.integer({ min: 1, max: 9 })), { minLength: 1, maxLength: 3 }).map((ls) => {
    const z = ls.reduce((a, [, w]) => a + w, 0);
    return ls.map(([level, w]) => ({ level, p: w / z }));
  });

  test.prop([settingArb, levelsArb], { numRuns: 15 })('dsm, esm, bias, scoreNorm and factor', (s, levels) => {
    const got = weightedInputGradients(s, levels);
    expect(fdCheck(s, levels, got)).toBe(true);
    const obj = levels.map(({ level, p }) => ({ p, ...objectives(s, level) }));
    const trK = obj.reduce((a, o) => a + o.p * o.trK, 0), factor = obj.reduce((a, o) => a + o.p * o.factor, 0);
    expect(Math.abs(got.scoreNorm - trK)).toBeLessThanOrEqual(1e-9 * trK);
    expect(Math.abs(got.factor - factor)).toBeLessThanOrEqual(1e-12 * factor);
    got.bias.B.data.forEach((x, i) => expect(Math.abs(x - (got.dsm.B.data[i] - got.esm.B.data[i]))).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(got.dsm.B.data[i]))));
    got.bias.b.forEach((x) => expect(x).toBe(0));
  });

  it('negative control: probabilities attached to the wrong levels, and the unweighted sum, are rejected', () => {
    const s = fc.sample(settingArb, { seed: 3, numRuns: 1 })[0];
    const levels = [{ level: vpLevel(0.9), p: 0.8 }, { level: vpLevel(0.2), p: 0.2 }];
    expect(fdCheck(s, levels, weightedInputGradients(s, levels))).toBe(true);
    expect(fdCheck(s, levels, weightedInputGradients(s, [{ ...levels[0], p: 0.2 }, { ...levels[1], p: 0.8 }]))).toBe(false);
    expect(fdCheck(s, levels, weightedInputGradients(s, levels.map(({ level }) => ({ level, p: 1 }))))).toBe(false);
  });

  it('a single level with p = 1 is inputGradientsAtLevel (boundary); no levels is a typed error', () => {
    const s = fc.sample(settingArb, { seed: 5, numRuns: 1 })[0];
    const one = weightedInputGradients(s, [{ level: vpLevel(0.3), p: 1 }]), at = inputGradientsAtLevel(s, vpLevel(0.3));
    expect(Array.from(one.dsm.B.data)).toEqual(Array.from(at.dsm.B.data));
    expect(one.scoreNorm).toBe(at.scoreNorm);
    expect(() => weightedInputGradients(s, [])).toThrow(/levels/);
  });
});
