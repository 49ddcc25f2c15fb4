import { describe, expect, test } from 'vitest';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { noiseLevel, requireNoiseLevel, veLevel, vpLevel } from './noiseLevel.ts';

const fieldOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as InvalidArgumentError).field;
  }
  throw new Error('did not throw');
};

describe('noise levels (MATH.md §1): a, s finite and > 0', () => {
  test('vpLevel(ᾱ) = (√ᾱ, √(1−ᾱ)) on the open interval only', () => {
    expect(vpLevel(0.36)).toEqual({ a: 0.6, s: 0.8 });
    for (const bad of [0, 1, -0.1, Number.NaN]) expect(fieldOf(() => vpLevel(bad))).toBe('alphaBar');
    expect(fieldOf(() => vpLevel(1, 'ab'))).toBe('ab');
  });
  test('veLevel(σ) = (1, σ); noiseLevel names a and s', () => {
    expect(veLevel(3)).toEqual({ a: 1, s: 3 });
    expect(fieldOf(() => veLevel(0))).toBe('sigma.s');
    expect(fieldOf(() => noiseLevel(0, 1))).toBe('noiseLevel.a');
    expect(fieldOf(() => noiseLevel(Number.POSITIVE_INFINITY, 1))).toBe('noiseLevel.a');
    expect(fieldOf(() => noiseLevel(1, -1, 'lvl'))).toBe('lvl.s');
    expect(fieldOf(() => noiseLevel(1, Number.NaN))).toBe('noiseLevel.s');
    expect(noiseLevel(2, 0.5)).toEqual({ a: 2, s: 0.5 });
  });
  test('requireNoiseLevel rejects a non-object and bad fields', () => {
    expect(() => requireNoiseLevel(null as never)).toThrow(DimensionMismatchError);
    expect(() => requireNoiseLevel(3 as never)).toThrow(DimensionMismatchError);
    expect(fieldOf(() => requireNoiseLevel({ a: 1, s: 0 }))).toBe('level.s');
    expect(requireNoiseLevel({ a: 1, s: 2 }, 'x')).toEqual({ a: 1, s: 2 });
  });
});
