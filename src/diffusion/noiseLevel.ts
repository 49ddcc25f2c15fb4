import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';

/** Forward kernel q(x_t | x_0) = N(a x_0, s² I) (MATH.md §1). */
export interface NoiseLevel {
  /** Signal scale a_t > 0. */
  readonly a: number;
  /** Noise standard deviation s_t > 0. */
  readonly s: number;
}

export function noiseLevel(a: number, s: number, field = 'noiseLevel'): NoiseLevel {
  if (!(Number.isFinite(a) && a > 0)) throw new InvalidArgumentError(`${field}.a`, a, 'must be finite and > 0');
  if (!(Number.isFinite(s) && s > 0)) throw new InvalidArgumentError(`${field}.s`, s, 'must be finite and > 0');
  return { a, s };
}

/** Continuous VP at α ∈ (0,1): a = √α, s = √(1−α). */
export function vpLevel(alphaBar: number, field = 'alphaBar'): NoiseLevel {
  if (!(Number.isFinite(alphaBar) && alphaBar > 0 && alphaBar < 1)) throw new InvalidArgumentError(field, alphaBar, 'must lie in (0, 1)');
  return { a: Math.sqrt(alphaBar), s: Math.sqrt(1 - alphaBar) };
}

/** VE at σ > 0: a = 1, s = σ. */
export function veLevel(sigma: number, field = 'sigma'): NoiseLevel {
  return noiseLevel(1, sigma, field);
}

/** Validates a NoiseLevel passed as a plain object (a, s finite and > 0). */
export function requireNoiseLevel(level: NoiseLevel, field = 'level'): NoiseLevel {
  if (level === null || typeof level !== 'object') throw new DimensionMismatchError(field, 'NoiseLevel {a, s}', String(level));
  return noiseLevel(level.a, level.s, field);
}
