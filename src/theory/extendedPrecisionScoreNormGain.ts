import type { NoiseLevel } from '../diffusion/noiseLevel.ts';
import { requireNoiseLevel } from '../diffusion/noiseLevel.ts';
import { InvalidArgumentError } from '../errors.ts';
import type { Gaussian } from '../gaussian/gaussian.ts';
import { BigFloat } from '../linalg/bigFloat.ts';
import { BigFloatMatrix } from '../linalg/bigFloatMatrix.ts';
import type { LinearEncoder } from '../models/linearEncoder.ts';
import { requireLinearEncoder } from '../models/linearEncoder.ts';

/**
 * Xu's score-norm gain N(E_D) − N(E*) (MATH.md §13.1, §19.7) in extended-precision binary arithmetic
 * (BigFloat, `bits` significant bits), from the data and the reference encoder alone — no float64
 * intermediate:
 *   Σ_{x|c}(B) = (Σ⁻¹ + BᵀB/τ²)⁻¹,  N(B) = tr((a²Σ_{x|c}(B) + s²I)⁻¹),
 *   pretrained model of E*: A = −P*, G = aP*M*, P* = (a²Σ*_{x|c} + s²I)⁻¹, M* = Σ*_{x|c}B*ᵀ/τ²,
 *   minimum-norm DSM-optimal encoder B_D = −aG⁺A (as `dsmOptimalEncoder`).
 * G⁺ is the Tikhonov limit (GᵀG + λI)⁻¹Gᵀ with λ = 2^(−bits/2)·tr(GᵀG): a non-zero singular value σ of G
 * is inverted with relative error λ/σ², an exact-zero one contributes nothing, and G = 0 (B* = 0) gives 0.
 *
 * For the cases float64 cannot decide: a gain of relative size 1e-12 of d/s² (a conditioning input that
 * already reveals x almost exactly) is a difference of two ~d/s² numbers that both float64 routes lose.
 * Cost: a few milliseconds per call at d, k ≤ 3 — an escalation path, not a hot loop.
 */
export interface ExtendedPrecisionGain {
  /** N(E_D) − N(E*), rounded to float64. */
  readonly gain: number;
  /** d/s²: the scale of N, for stating the resolution relative to it. */
  readonly scale: number;
  /** The relative resolution (of `scale`) the computation supports: 2^(40 − bits/2) (7.5e-37 at 320 bits). */
  readonly relativeResolution: number;
}

export function extendedPrecisionScoreNormGain(data: Gaussian, reference: LinearEncoder, level: NoiseLevel, bits = 320): ExtendedPrecisionGain {
  requireLinearEncoder(reference, data.dim, 'reference');
  const { a: a64, s: s64 } = requireNoiseLevel(level);
  if (!Number.isInteger(bits) || bits < 128) throw new InvalidArgumentError('bits', bits, 'must be an integer ≥ 128');
  const d = data.dim, k = reference.B.rows;
  const num = (x: number) => BigFloat.fromNumber(x);
  const a = num(a64), s = num(s64), tau = num(reference.tau);
  const a2 = a.mul(a, bits), s2I = BigFloatMatrix.identity(d, bits, s.mul(s, bits));
  const invTau2 = BigFloat.fromBigInt(1n).div(tau.mul(tau, bits), bits);
  const precision = BigFloatMatrix.fromMatrix(data.cov, bits).inverse('data.cov');
  const post = (B: BigFloatMatrix) => precision.add(B.transpose().mul(B).scale(invTau2)).inverse('Σ⁻¹ + BᵀB/τ²');
  const K = (post_: BigFloatMatrix) => post_.scale(a2).add(s2I).inverse('a²Σ_{x|c} + s²I');
  const Bstar = BigFloatMatrix.fromMatrix(reference.B, bits);
  const postStar = post(Bstar);
  const Pstar = K(postStar);
  const G = Pstar.mul(postStar).mul(Bstar.transpose()).scale(invTau2.mul(a, bits));
  const GtG = G.transpose().mul(G);
  const tr = GtG.trace();
  const Gplus = tr.sign() === 0 ? BigFloatMatrix.zeros(k, d, bits)
    : GtG.add(BigFloatMatrix.identity(k, bits, tr.scale2(-Math.floor(bits / 2)))).inverse('GᵀG + λI').mul(G.transpose());
  // B_D = −aG⁺A = aG⁺P*
  const BD = Gplus.mul(Pstar).scale(a);
  const gain = K(post(BD)).trace().sub(Pstar.trace(), bits);
  return { gain: gain.toNumber(), scale: d / (s64 * s64), relativeResolution: 2 ** (40 - bits / 2) };
}
