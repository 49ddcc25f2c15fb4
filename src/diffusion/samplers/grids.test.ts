import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { flowTimes, karrasSigmas } from './sigmaGrid.ts';
import { type SpacingKind, type SpacingVariant, respacedTimesteps, spacedTimesteps } from './timestepSpacing.ts';
import { indexAtSigma, trainingTable } from './trainingTable.ts';

/**
 * The timestep and noise-level grids against NumPy itself (the formulas diffusers, k-diffusion and
 * improved-diffusion evaluate), over a grid of T, n and offsets that includes the .5 rounding
 * cases. Negative control: the same grid built with round-half-up (Math.round) must differ
 * somewhere, so the comparison can see a rounding-rule bug.
 */
const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;

const PY = String.raw`
import json, sys, math
import numpy as np
cases = json.loads(sys.stdin.read())
out = []
# The NumPy formulas themselves, as the reference adapter evaluates them (diffusers' set_timesteps,
# improved-diffusion's space_timesteps).
sys.path.insert(0, 'examples')
from sampler_adapter import spaced_timesteps, space_timesteps as _space
def spaced(kind, T, n, off, variant):
    return spaced_timesteps(kind, T, n, off, variant).tolist()
def space_timesteps(T, sc):
    try:
        return sorted(_space(T, sc), reverse=True)
    except ValueError:
        return None
for c in cases:
    if c['what'] == 'spaced': out.append(spaced(c['kind'], c['T'], c['n'], c['off'], c['variant']))
    elif c['what'] == 'respace': out.append(space_timesteps(c['T'], c['sc']))
    elif c['what'] == 'karras':
        ramp = np.linspace(0, 1, c['n']); r = c['rho']
        out.append(((c['hi'] ** (1 / r) + ramp * (c['lo'] ** (1 / r) - c['hi'] ** (1 / r))) ** r).tolist())
    elif c['what'] == 'sigma_to_t':
        ls = np.log(np.array(c['sigmas'])); l = np.log(np.maximum(np.array(c['query']), 1e-10))
        d = l - ls[:, None]
        lo = np.cumsum(d >= 0, axis=0).argmax(axis=0).clip(max=ls.shape[0] - 2)
        w = np.clip((ls[lo] - l) / (ls[lo] - ls[lo + 1]), 0, 1)
        out.append(((1 - w) * lo + w * (lo + 1)).tolist())
    elif c['what'] == 'flow':
        T, s, n = c['T'], c['shift'], c['n']
        sh = lambda x: s * x / (1 + (s - 1) * x)
        if c['grid'] == 'diffusers':
            out.append(sh(np.linspace(sh(1.0) * T, sh(1.0 / T) * T, n) / T).tolist())
        else:
            out.append(sh(np.linspace(1, 0, n + 1)[:-1]).tolist())
print(json.dumps(out))
`;

function numpy(cases: unknown[]): unknown[] {
  const r = spawnSync('python3', ['-c', PY], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as unknown[];
}

const KINDS: SpacingKind[] = ['leading', 'trailing', 'linspace'];
const VARIANTS: SpacingVariant[] = ['ddim', 'sigma', 'multistep'];
const SIZES: [number, number][] = [];
for (const T of [7, 10, 50, 100, 250, 999, 1000, 1024]) for (const n of [1, 2, 3, 7, 16, 30, 33, 50, 64, T - 1, T]) if (n >= 1 && n <= T) SIZES.push([T, n]);

describe.skipIf(!hasNumpy)('sampler grids = NumPy', () => {
  it('leading / trailing / linspace in the three scheduler variants, with steps_offset', () => {
    const cases: { what: string; kind: SpacingKind; T: number; n: number; off: number; variant: SpacingVariant }[] = [];
    for (const [T, n] of SIZES) for (const kind of KINDS) for (const variant of VARIANTS) for (const off of [0, 1]) {
      if (variant === 'multistep' && n >= T && kind !== 'trailing') continue;
      if (kind === 'leading' && (Math.floor(T / (variant === 'multistep' ? n + 1 : n)) * ((variant === 'multistep' ? n + 1 : n) - 1) + off > T - 1)) continue;
      cases.push({ what: 'spaced', kind, T, n, off, variant });
    }
    const expected = numpy(cases) as number[][];
    let compared = 0, halfUpDiffers = 0;
    cases.forEach((c, i) => {
      let got: number[];
      try {
        got = Array.from(spacedTimesteps({ kind: c.kind, T: c.T, n: c.n, stepsOffset: c.off, variant: c.variant }));
      } catch {
        // Refused by name where NumPy's list is not a list of n distinct table entries: a repeat
        // (n close to T, multistep) or arange's float length (T = 999, n = 30 trailing gives 31 entries, the last −1).
        const e = expected[i];
        const broken = e.length !== c.n || new Set(e).size < e.length || e.some((j) => j < 0 || j > c.T - 1);
        expect(broken, JSON.stringify(c)).toBe(true);
        return;
      }
      expect(got, JSON.stringify(c)).toEqual(expected[i]);
      compared++;
      if (c.kind === 'trailing' && c.variant === 'ddim') {
        const halfUp = Array.from({ length: c.n }, (_, k) => Math.round(c.T - (k * c.T) / c.n) - 1);
        if (halfUp.some((v, k) => v !== expected[i][k])) halfUpDiffers++;
      }
    });
    expect(compared).toBeGreaterThan(700);
    expect(halfUpDiffers, 'negative control: round-half-up must differ from NumPy somewhere').toBeGreaterThan(0);
  });

  it('improved-diffusion respacing ("n", "ddimN", sections)', () => {
    const specs: { T: number; sc: string }[] = [];
    for (const T of [10, 100, 1000, 4000]) for (const sc of ['1', '2', '10', '25', '50', '250', 'ddim10', 'ddim25', 'ddim50', 'ddim7', '10,15,20', '3,0,1']) specs.push({ T, sc });
    const expected = numpy(specs.map((s) => ({ what: 'respace', ...s }))) as (number[] | null)[];
    specs.forEach((s, i) => {
      const e = expected[i];
      if (e === null || Number(s.sc) > s.T || s.sc.split(',').some((c) => Number(c) > Math.ceil(s.T / s.sc.split(',').length))) {
        expect(() => respacedTimesteps(s.T, s.sc)).toThrow();
        return;
      }
      expect(Array.from(respacedTimesteps(s.T, s.sc)), JSON.stringify(s)).toEqual(e);
    });
  });

  it('Karras levels, σ → t interpolation and flow grids', () => {
    const ab = Array.from({ length: 1000 }, (_, j) => Math.cos(((j + 1) / 1000 + 0.008) / 1.008 * (Math.PI / 2)) ** 2 / Math.cos((0.008 / 1.008) * (Math.PI / 2)) ** 2).map((v) => Math.min(v, 0.9999));
    const table = trainingTable(ab.map((v, j) => v * (1 - 1e-9 * j)));
    const query = [1e-12, table.sigma[0] * 0.5, table.sigma[0], table.sigma[3] * 1.01, 1, 10, table.sigma[999], table.sigma[999] * 2];
    const cases = [
      { what: 'karras', n: 1, lo: 0.03, hi: 14.6, rho: 7 },
      { what: 'karras', n: 25, lo: 0.002, hi: 80, rho: 7 },
      { what: 'karras', n: 10, lo: 0.1, hi: 5, rho: 3 },
      { what: 'sigma_to_t', sigmas: Array.from(table.sigma), query },
      ...[1, 5, 28].flatMap((n) => [1, 3].flatMap((shift) => ['diffusers', 'uniform'].map((grid) => ({ what: 'flow', T: 1000, shift, n, grid })))),
    ];
    const e = numpy(cases) as number[][];
    const close = (a: ArrayLike<number>, b: number[]) => Array.from(a).forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(b[i]))));
    close(karrasSigmas(1, 0.03, 14.6, 7), e[0]);
    close(karrasSigmas(25, 0.002, 80, 7), e[1]);
    close(karrasSigmas(10, 0.1, 5, 3), e[2]);
    close(query.map((s) => indexAtSigma(table, s)), e[3]);
    let k = 4;
    for (const n of [1, 5, 28]) for (const shift of [1, 3]) for (const grid of ['diffusers', 'uniform'] as const) close(flowTimes(grid, n, 1000, shift), e[k++]);
    // Negative control: swapping ρ and 1/ρ moves the interior levels far outside that tolerance.
    expect(Math.abs(karrasSigmas(25, 0.002, 80, 1 / 7)[12] - e[1][12])).toBeGreaterThan(1e-3);
  });
});
