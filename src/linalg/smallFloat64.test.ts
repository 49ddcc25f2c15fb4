import { describe, expect, it } from 'vitest';
import { copyFloat64, smallFloat64 } from './smallFloat64.ts';

describe('smallFloat64: slab-backed zeroed arrays', () => {
  it('every array is zeroed, has its length, and shares no element with another (across slab ends)', () => {
    const arrays: Float64Array[] = [];
    for (let i = 0; i < 2000; i++) {
      const n = i % 65; // 0..64: all slabbed sizes; 2000 arrays span several 16 KiB slabs
      const a = smallFloat64(n);
      expect(a.length).toBe(n);
      expect(a.every((v) => v === 0)).toBe(true);
      a.fill(i + 1);
      arrays.push(a);
    }
    arrays.forEach((a, i) => expect(a.every((v) => v === i + 1)).toBe(true));
  });

  it('large and invalid lengths behave as new Float64Array(n): own buffer, or the same RangeError', () => {
    const big = smallFloat64(65);
    expect(big.byteOffset).toBe(0);
    expect(big.buffer.byteLength).toBe(65 * 8);
    expect(() => smallFloat64(-1)).toThrow(RangeError);
    for (const n of [2.5, Number.NaN]) expect(smallFloat64(n).length).toBe(new Float64Array(n).length);
  });

  it('copyFloat64 copies typed and plain arrays into independent storage', () => {
    const src = Float64Array.of(1, 2, 3);
    const c = copyFloat64(src);
    c[0] = 9;
    expect(Array.from(src)).toEqual([1, 2, 3]);
    expect(Array.from(c)).toEqual([9, 2, 3]);
    expect(Array.from(copyFloat64([4, 5]))).toEqual([4, 5]);
  });
});
