import { InvalidArgumentError } from '../../errors.ts';

/**
 * What a sampler's network predicts, and how the prediction becomes x̂₀ and ε̂ (MATH.md §5.2).
 * The sampler's state is x = a·x₀ + s·ε (VP: a = √ᾱ, s = √(1−ᾱ); σ-space: a = 1, s = σ;
 * flow: a = 1 − t, s = t).
 * - eps / x0 / v / score: a VP-trained network; it sees the VP-normalised input u = x/n,
 *   n = √(a² + s²) (k-diffusion's c_in = 1/√(σ²+1) in σ-space) and predicts ε, x₀,
 *   v = (a ε − s x₀)/n, or the score ∇_u log q(u);
 * - edm: EDM preconditioning with σ_data: input c_in·x/a, D = c_skip·x/a + c_out·F, σ = s/a;
 * - flow_velocity: a flow network (a + s = 1) sees x and predicts v = ε − x₀.
 * Each returns x̂₀ = cx·x + co·f and ε̂ = ex·x + eo·f, f the network output.
 */
export type SamplerParameterization = 'eps' | 'x0' | 'v' | 'score' | 'edm' | 'flow_velocity';
export const SAMPLER_PARAMETERIZATIONS: readonly SamplerParameterization[] = ['eps', 'x0', 'v', 'score', 'edm', 'flow_velocity'];

export interface StateLevel {
  readonly a: number;
  readonly s: number;
}

export interface Denoiser {
  /** The network input is inScale·x. */
  readonly inScale: number;
  /** x̂₀ = cx·x + co·f. */
  readonly cx: number;
  readonly co: number;
  /** ε̂ = ex·x + eo·f. */
  readonly ex: number;
  readonly eo: number;
}

/** The coefficients; an entry the level makes undefined (e.g. x̂₀ from ε at ᾱ = 0) is NaN. */
export function denoiserAt(p: SamplerParameterization, level: StateLevel, sigmaData = 1): Denoiser {
  const { a, s } = level;
  const div = (x: number, y: number) => (y === 0 ? NaN : x / y);
  switch (p) {
    case 'eps':
    case 'x0':
    case 'v':
    case 'score': {
      const n = Math.sqrt(a * a + s * s);
      if (p === 'eps') return { inScale: 1 / n, cx: div(1, a), co: div(-s, a), ex: 0, eo: 1 };
      if (p === 'x0') return { inScale: 1 / n, cx: 0, co: 1, ex: div(1, s), eo: div(-a, s) };
      if (p === 'v') return { inScale: 1 / n, cx: a / (n * n), co: -s / n, ex: s / (n * n), eo: a / n };
      return { inScale: 1 / n, cx: div(1, a), co: div(s * s, n * a), ex: 0, eo: -s / n };
    }
    case 'edm': {
      const sigma = div(s, a);
      const q = sigma * sigma + sigmaData * sigmaData;
      const cSkip = (sigmaData * sigmaData) / q, cOut = (sigma * sigmaData) / Math.sqrt(q);
      const cx = div(cSkip, a);
      return { inScale: div(1, a * Math.sqrt(q)), cx, co: cOut, ex: div(1 - a * cx, s), eo: div(-a * cOut, s) };
    }
    case 'flow_velocity':
      if (Math.abs(a + s - 1) > 1e-12) throw new InvalidArgumentError('parameterization', p, `flow_velocity needs a flow path (a + s = 1), got a = ${a}, s = ${s}`);
      return { inScale: 1, cx: 1, co: -s, ex: 1, eo: a };
  }
}

/** Throws (naming the level) unless the coefficients a sampler uses are finite. */
export function requireDenoiser(d: Denoiser, need: 'x0' | 'eps' | 'both', p: SamplerParameterization, where: string): Denoiser {
  const bad = (need !== 'eps' && !(Number.isFinite(d.cx) && Number.isFinite(d.co))) || (need !== 'x0' && !(Number.isFinite(d.ex) && Number.isFinite(d.eo)));
  if (bad || !Number.isFinite(d.inScale)) {
    throw new InvalidArgumentError('parameterization', p, `${p} output cannot give ${need === 'both' ? 'x̂₀ and ε̂' : need === 'x0' ? 'x̂₀' : 'ε̂'} at ${where} (a zero-SNR or zero-noise level)`);
  }
  return d;
}
