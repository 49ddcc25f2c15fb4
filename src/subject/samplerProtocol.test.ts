import { describe, expect, it } from 'vitest';
import { sampleShape } from '../diffusion/samplers/sampleShape.ts';
import { InvalidArgumentError } from '../errors.ts';
import { encodeArray } from './arrayCodec.ts';
import { decodeSampleResult } from './samplerProtocol.ts';

/*
 * decodeSampleResult (docs/protocol.md §8): a `sample` answer is an object {x_final, tau?, timesteps?};
 * anything else is a typed error naming the field and value, never a TypeError or a silent NaN.
 * Decoding is checked entry by entry against hand-written answers (nested and binary alike).
 */
describe('decodeSampleResult', () => {
  const shape = sampleShape([2, 1, 2]); // C = 2, P = 2, size 4

  it('splits x_final into B rows of shape.size in order; tau and timesteps are flat vectors; absent or null → undefined', () => {
    const nested = { x_final: [[[[1, 2]], [[3, 4]]], [[[5, 6]], [[7, 8]]]], tau: [999, 499.5], timesteps: null };
    const r = decodeSampleResult(nested, 2, shape);
    expect(r.xFinal.map((x) => Array.from(x))).toEqual([[1, 2, 3, 4], [5, 6, 7, 8]]);
    expect(Array.from(r.tau!)).toEqual([999, 499.5]);
    expect(r.timesteps).toBeUndefined();
    const binary = decodeSampleResult({ x_final: encodeArray([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 1, 2], 'float64'), timesteps: encodeArray([3, 1], [2], 'float64') }, 2, shape);
    expect(binary.xFinal.map((x) => Array.from(x))).toEqual([[1, 2, 3, 4], [5, 6, 7, 8]]);
    expect(binary.tau).toBeUndefined();
    expect(Array.from(binary.timesteps!)).toEqual([3, 1]);
  });

  for (const bad of [null, 42, 'x_final'] as const) {
    it(`a result that is not an object (${JSON.stringify(bad)}) is an InvalidArgumentError naming "result"`, () => {
      expect(() => decodeSampleResult(bad, 1, shape)).toThrow(InvalidArgumentError);
      expect(() => decodeSampleResult(bad, 1, shape)).toThrow(/result/);
      expect(() => decodeSampleResult(bad, 1, shape)).toThrow(/must be an object \{x_final, tau\?, timesteps\?\}/);
    });
  }

  it('a missing x_final, a wrong batch shape, and a tau that is not flat are typed errors naming the field', () => {
    expect(() => decodeSampleResult({ tau: [1] }, 1, shape)).toThrow(/result\.x_final.*missing/);
    expect(() => decodeSampleResult({ x_final: [[[[1, 2]], [[3, 4]]]] }, 2, shape)).toThrow(InvalidArgumentError);
    expect(() => decodeSampleResult({ x_final: [[[[1, 2]], [[3, 4]]]], tau: [[1, 2]] }, 1, shape)).toThrow(/result\.tau.*must be a flat list/);
    expect(() => decodeSampleResult({ x_final: [[[[1, 2]], [[3, 4]]]], timesteps: [[1], [2]] }, 1, shape)).toThrow(/result\.timesteps/);
  });
});
