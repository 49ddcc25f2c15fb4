import { describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../errors.ts';
import { respacedIndices } from './respacing.ts';

/*
 * Independent route: improved-diffusion's / guided-diffusion's respace.py `space_timesteps(num_timesteps,
 * section_counts)` re-implemented from its public description, with Python's semantics spelled out:
 *   "ddimN": the first stride i in range(1, T) with len(range(0, T, i)) == N → set(range(0, T, i)), else ValueError;
 *   otherwise counts = [int(x) for x in s.split(",")]; size_per = T // len, extra = T % len; section i has
 *   size_per + (i < extra); size < count → ValueError; frac_stride = 1 if count ≤ 1 else (size − 1)/(count − 1);
 *   cur_idx = 0.0; count times: take start + round(cur_idx), cur_idx += frac_stride (float accumulation,
 *   banker's rounding); return the set.
 * `null` stands for Python raising.
 */
function pyRound(x: number): number {
  const r = Math.round(x); // half up; Python rounds an exact .5 to the even neighbour
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
function pyInt(s: string): number | null {
  const m = /^\s*([+-]?)([0-9]+(_[0-9]+)*)\s*$/.exec(s);
  return m ? parseInt((m[1] ?? '') + m[2].split('_').join(''), 10) : null;
}
function spaceTimesteps(T: number, sectionCounts: string | number[]): number[] | null {
  let counts: number[];
  if (typeof sectionCounts === 'string') {
    if (sectionCounts.startsWith('ddim')) {
      const want = pyInt(sectionCounts.slice(4));
      if (want === null) return null;
      for (let i = 1; i < T; i++) {
        const range: number[] = [];
        for (let k = 0; k < T; k += i) range.push(k);
        if (range.length === want) return range;
      }
      return null;
    }
    const parsed = sectionCounts.split(',').map(pyInt);
    if (parsed.some((c) => c === null)) return null;
    counts = parsed as number[];
  } else counts = sectionCounts;
  const sizePer = Math.floor(T / counts.length), extra = T % counts.length;
  let start = 0;
  const all = new Set<number>();
  for (let i = 0; i < counts.length; i++) {
    const size = sizePer + (i < extra ? 1 : 0);
    if (size < counts[i]) return null;
    const frac = counts[i] <= 1 ? 1 : (size - 1) / (counts[i] - 1);
    let cur = 0.0;
    for (let j = 0; j < counts[i]; j++) { all.add(start + pyRound(cur)); cur += frac; }
    start += size;
  }
  return [...all].sort((a, b) => a - b);
}

/** respacedIndices, or null when it throws (it must throw the typed error). */
function ours(T: number, sc: string | number[]): number[] | null {
  try {
    return respacedIndices(T, { section_counts: sc });
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArgumentError);
    return null;
  }
}

describe('respacedIndices against space_timesteps (improved-diffusion respace.py, Python semantics)', () => {
  test('every section list of length 1–3 with counts 0…size+1, T = 1…21, as string and array; every ddimN, N = 0…T+1', () => {
    let compared = 0, refused = 0;
    for (let T = 1; T <= 21; T++) {
      for (let L = 1; L <= 3; L++) {
        const maxC = Math.ceil(T / L) + 1, c = new Array<number>(L).fill(0);
        for (;;) {
          // A list of all zeros: Python returns the empty set (a chain of no steps); scorecheck refuses it.
          if (c.some((x) => x > 0)) {
            const ref = spaceTimesteps(T, c);
            expect(ours(T, c), `T = ${T}, [${c}]`).toEqual(ref);
            expect(ours(T, c.join(',')), `T = ${T}, "${c}"`).toEqual(ref);
            compared++;
            if (ref === null) refused++;
          } else expect(ours(T, c)).toBeNull();
          let k = 0;
          while (k < L && ++c[k] > maxC) c[k++] = 0;
          if (k === L) break;
        }
      }
      for (let N = 0; N <= T + 1; N++) expect(ours(T, `ddim${N}`), `T = ${T}, ddim${N}`).toEqual(spaceTimesteps(T, `ddim${N}`));
    }
    expect(refused).toBeGreaterThan(100); // impossible sections were in the grid
    expect(compared).toBeGreaterThan(5000);
  });

  test('the configurations of real runs at T = 1000 and 4000 (ddim25/50/100/250, "250", "10,15,20", "50,30,20", "25,25,50")', () => {
    for (const [T, sc] of [[1000, 'ddim25'], [1000, 'ddim50'], [1000, 'ddim100'], [4000, 'ddim250'], [1000, '250'], [4000, '1000'], [300, '10,15,20'], [1000, '50,30,20'], [1000, '25,25,50'], [1000, '3,0,1']] as const) {
      const ref = spaceTimesteps(T, sc);
      expect(ref).not.toBeNull();
      expect(ours(T, sc), `T = ${T}, ${sc}`).toEqual(ref);
    }
    // The docstring's example: 300 steps, [10, 15, 20] — sections of 100 strided to 10, 15 and 20 steps, each from its start to its end.
    const r = ours(300, [10, 15, 20])!;
    expect(r.length).toBe(45);
    for (const i of [0, 99, 100, 199, 200, 299]) expect(r).toContain(i);
  });

  test('strings Python’s int() refuses are refused, not read as another schedule ("10,,20" was [10, 0, 20]; "0x10" was 16)', () => {
    for (const sc of ['10,,20', '1e1', '0x10', '10.0', '', ',', 'ddim', 'ddim1e1', 'ddim 2.5', '1__0']) {
      expect(spaceTimesteps(100, sc), sc).toBeNull();
      expect(ours(100, sc), sc).toBeNull();
    }
    for (const sc of [' 10 ', '+10', '1_0', 'ddim 10']) expect(ours(100, sc), sc).toEqual(spaceTimesteps(100, sc));
  });

  test('negative control: half-up rounding (Math.round) for banker’s rounding is rejected (T = 6, "3": 2.5 → 2, not 3)', () => {
    const halfUp = (T: number, count: number) => Array.from({ length: count }, (_, j) => Math.round((j * (T - 1)) / (count - 1)));
    expect(halfUp(6, 3)).toEqual([0, 3, 5]);
    expect(ours(6, '3')).toEqual([0, 2, 5]);
    expect(ours(6, '3')).not.toEqual(halfUp(6, 3));
  });

  test('explicit timesteps: sorted, in range, no repeats (typed errors name the entry)', () => {
    expect(respacedIndices(10, { timesteps: [9, 0, 4] })).toEqual([0, 4, 9]);
    expect(() => respacedIndices(10, { timesteps: [0, 10] })).toThrow(/timesteps\[1\]/);
    expect(() => respacedIndices(10, { timesteps: [3, 3] })).toThrow(/repeated/);
    expect(() => respacedIndices(10, { timesteps: [] })).toThrow(InvalidArgumentError);
  });
});
