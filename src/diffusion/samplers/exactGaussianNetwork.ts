import { InvalidArgumentError } from '../../errors.ts';
import { add, addScaledIdentity, identity, matmul, scale, spdInverse } from '../../linalg/index.ts';
import { type SamplerParameterization, type StateLevel, denoiserAt } from './denoiser.ts';
import type { SamplerData } from './samplerData.ts';
import type { TableNetwork } from './samplerNetwork.ts';

/**
 * The exact network for Gaussian data, tabulated at the calls a sampler makes (MATH.md §5.5).
 * At state level x = a x₀ + s ε: x̂₀(x) = μ + G(x − aμ) with G = aΣ(a²Σ + s²I)⁻¹ (per pixel,
 * Σ = Σ_C), ε̂ = (x − a x̂₀)/s, and the output in parameterization p is f = c_x x + c₀ x̂₀ + c_e ε̂
 * (eps: ε̂; x0: x̂₀; v: (a ε̂ − s x̂₀)/n; score: −n ε̂/s; edm: (x̂₀ − cx x)/co; flow: ε̂ − x̂₀),
 * written in the network input u = inScale·x: f = K u + B μ.
 */
export function exactGaussianNetwork(
  data: SamplerData, p: SamplerParameterization, calls: ReadonlyArray<{ readonly tau: number; readonly level: StateLevel }>, sigmaData = 1,
  /** A learned-range variance output (constant; 0 = the geometric mean of β and β̃). */
  variance?: number,
): TableNetwork {
  const C = data.shape.C;
  const byTau = new Map<number, StateLevel>();
  for (const c of calls) {
    const seen = byTau.get(c.tau);
    if (seen && (seen.a !== c.level.a || seen.s !== c.level.s)) {
      throw new InvalidArgumentError('network time', c.tau, 'one τ is used at two different noise levels; the sampler\'s time map is not a function of the level');
    }
    byTau.set(c.tau, c.level);
  }
  const taus = [...byTau.keys()];
  const K: Float64Array[] = [], B: Float64Array[] = [];
  const I = identity(C);
  for (const tau of taus) {
    const { a, s } = byTau.get(tau) as StateLevel;
    if (!(s > 0)) throw new InvalidArgumentError('network level', s, `the exact network at τ = ${tau} needs noise (s > 0)`);
    const den = denoiserAt(p, { a, s }, sigmaData);
    const n = Math.sqrt(a * a + s * s);
    const coef = outputCoefficients(p, a, s, n, den.cx, den.co);
    const G = scale(matmul(data.channelCov, spdInverse(addScaledIdentity(scale(data.channelCov, a * a), s * s), 'a²Σ + s²I')), a);
    const rest = add(I, G, 1, -a); // I − aG
    const Kx = add(add(scale(I, coef.x), G, 1, coef.x0), rest, 1, coef.eps / s);
    const Bm = add(scale(rest, coef.x0), rest, 1, (-coef.eps * a) / s);
    K.push(scale(Kx, 1 / den.inScale).data);
    B.push(Bm.data);
  }
  return { kind: 'table', shape: data.shape, tau: Float64Array.from(taus), K, B, mu: data.mean, ...(variance === undefined ? {} : { v: new Float64Array(taus.length).fill(variance) }) };
}

function outputCoefficients(p: SamplerParameterization, a: number, s: number, n: number, cx: number, co: number): { x: number; x0: number; eps: number } {
  switch (p) {
    case 'eps':
      return { x: 0, x0: 0, eps: 1 };
    case 'x0':
      return { x: 0, x0: 1, eps: 0 };
    case 'v':
      return { x: 0, x0: -s / n, eps: a / n };
    case 'score':
      return { x: 0, x0: 0, eps: -n / s };
    case 'edm':
      return { x: -cx / co, x0: 1 / co, eps: 0 };
    case 'flow_velocity':
      return { x: 0, x0: -1, eps: 1 };
  }
}
