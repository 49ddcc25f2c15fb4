import { type BigNumber, type Matrix as MjMatrix, all, create } from 'mathjs';
import type { NoiseLevel } from '../diffusion/noiseLevel.ts';
import type { Gaussian } from '../gaussian/gaussian.ts';
import type { Matrix } from '../linalg/index.ts';
import type { LinearEncoder } from '../models/linearEncoder.ts';
import { requireNoiseLevel } from '../diffusion/noiseLevel.ts';
import { InvalidArgumentError } from '../errors.ts';
import { requireLinearEncoder } from '../models/linearEncoder.ts';

/**
 * Xu's score-norm gain N(E_D) − N(E*) (MATH.md §13.1) in extended-precision decimal arithmetic
 * (mathjs BigNumber), from the data and the reference encoder alone — no float64 intermediate:
 *   Σ_{x|c}(B) = (Σ⁻¹ + BᵀB/τ²)⁻¹,  N(B) = tr((a²Σ_{x|c}(B) + s²I)⁻¹),
 *   pretrained model of E*: A = −P*, G = aP*M*, P* = (a²Σ*_{x|c} + s²I)⁻¹, M* = Σ*_{x|c}B*ᵀ/τ²,
 *   minimum-norm DSM-optimal encoder B_D = −aG⁺A (as `dsmOptimalEncoder`).
 * G⁺ is the Tikhonov limit (GᵀG + λI)⁻¹Gᵀ with λ = 10^(−digits/2)·tr(GᵀG): a non-zero singular value
 * σ of G is inverted with relative error λ/σ², and an exact-zero one contributes nothing.
 *
 * For the cases float64 cannot decide: a gain of relative size 1e-12 of d/s² (a conditioning input that
 * already reveals x almost exactly) is a difference of two ~d/s² numbers that both float64 routes lose;
 * here each matrix is held to `digits` significant digits, so the gain is resolved down to about
 * 10^(−digits/2)·κ relative. Cost: tens of milliseconds per call (d, k ≤ 3) — an escalation path, not a
 * hot loop.
 */
export interface ExtendedPrecisionGain {
  /** N(E_D) − N(E*), rounded to float64. */
  readonly gain: number;
  /** d/s²: the scale of N, for stating the resolution relative to it. */
  readonly scale: number;
  /** The relative resolution the arithmetic supports: 10^(−digits/2 + 5). */
  readonly relativeResolution: number;
}

const instances = new Map<number, ReturnType<typeof create>>();
function mathAt(digits: number) {
  let m = instances.get(digits);
  if (!m) instances.set(digits, (m = create(all, { number: 'BigNumber', precision: digits, relTol: 10 ** -digits, absTol: 10 ** -digits })));
  return m;
}

export function extendedPrecisionScoreNormGain(data: Gaussian, reference: LinearEncoder, level: NoiseLevel, digits = 80): ExtendedPrecisionGain {
  requireLinearEncoder(reference, data.dim, 'reference');
  const { a: a64, s: s64 } = requireNoiseLevel(level);
  if (!Number.isInteger(digits) || digits < 40) throw new InvalidArgumentError('digits', digits, 'must be an integer ≥ 40');
  const M = mathAt(digits);
  const two = M.bignumber(2);
  // the float64 value exactly: x = m·2^e with m a 53-bit integer
  const exact = (x: number): BigNumber => {
    if (x === 0 || !Number.isFinite(x)) return M.bignumber(x);
    let e = Math.floor(Math.log2(Math.abs(x))) - 52;
    let m = x / 2 ** e;
    while (!Number.isInteger(m)) { e -= 1; m = x / 2 ** e; }
    return M.multiply(M.bignumber(m), M.pow(two, M.bignumber(e))) as BigNumber;
  };
  const mat = (A: Matrix): MjMatrix => M.matrix(Array.from({ length: A.rows }, (_, i) => Array.from({ length: A.cols }, (_, j) => exact(A.data[i * A.cols + j]))));
  const d = data.dim;
  const I = M.identity(d) as MjMatrix;
  const a = exact(a64), s = exact(s64), tau2 = M.multiply(exact(reference.tau), exact(reference.tau)) as BigNumber;
  const a2 = M.multiply(a, a) as BigNumber, s2 = M.multiply(s, s) as BigNumber;
  const precision = M.inv(mat(data.cov)) as MjMatrix;
  const post = (B: MjMatrix): MjMatrix => M.inv(M.add(precision, M.divide(M.multiply(M.transpose(B), B), tau2)) as MjMatrix) as MjMatrix;
  const K = (post_: MjMatrix): MjMatrix => M.inv(M.add(M.multiply(post_, a2), M.multiply(I, s2)) as MjMatrix) as MjMatrix;
  const Bstar = mat(reference.B);
  const postStar = post(Bstar);
  const Pstar = K(postStar);
  const Mstar = M.divide(M.multiply(postStar, M.transpose(Bstar)), tau2) as MjMatrix;
  const G = M.multiply(M.multiply(Pstar, Mstar), a) as MjMatrix;
  const GtG = M.multiply(M.transpose(G), G) as MjMatrix;
  const k = reference.B.rows;
  const trGtG = M.trace(GtG) as unknown as BigNumber;
  const lambda = M.multiply(trGtG, M.pow(M.bignumber(10), M.bignumber(-Math.floor(digits / 2)))) as BigNumber;
  // G = 0 (B* = 0: the reference ignores x) has G⁺ = 0
  const Gplus = trGtG.isZero() ? (M.zeros(k, d) as MjMatrix)
    : (M.multiply(M.inv(M.add(GtG, M.multiply(M.identity(k), lambda)) as MjMatrix), M.transpose(G)) as MjMatrix);
  // B_D = −aG⁺A = aG⁺P*
  const BD = M.multiply(M.multiply(Gplus, Pstar), a) as MjMatrix;
  const gain: unknown = M.subtract(M.trace(K(post(BD))), M.trace(Pstar));
  return { gain: Number(String(gain)), scale: d / (s64 * s64), relativeResolution: 10 ** (-Math.floor(digits / 2) + 5) };
}
