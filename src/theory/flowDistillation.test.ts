import { describe, expect, test } from 'vitest';
import { Gaussian } from '../gaussian/gaussian.ts';
import { fromRows } from '../linalg/matrix.ts';
import { distillationCfm, distillationFm, rayInput, rayMinimizer } from './flowDistillation.ts';
import { type FlowPathSpec, flowCoefficients } from './flowPath.ts';

const target = new Gaussian([0.4, -1.2], fromRows([[1.5, 0.4], [0.4, 0.6]]), 'target');
const rhoOf = (input: Gaussian) => input.cov.data[0] / target.cov.data[0];
const co = flowCoefficients({ kind: 'rectified' }, 0.5);
const LO = 1e-3, HI = 3;

/** Brute force: the smallest value of the objective on a 3001-point grid of ρ over [lo, hi] (ends included). */
function gridMinimum(f: (rho: number) => number): { rho: number; value: number } {
  let best = { rho: LO, value: f(LO) };
  for (let i = 1; i <= 3000; i++) {
    const rho = LO + ((HI - LO) * i) / 3000, v = f(rho);
    if (v < best.value) best = { rho, value: v };
  }
  return best;
}

describe('rayMinimizer against known minima and a brute-force grid', () => {
  test('rayInput is N(μ*, ρΣ*)', () => {
    const inp = rayInput(target, 0.3);
    expect(Array.from(inp.mean)).toEqual(Array.from(target.mean));
    inp.cov.data.forEach((v, i) => expect(Math.abs(v - 0.3 * target.cov.data[i])).toBeLessThanOrEqual(1e-16));
  });

  test('objectives of ρ with known minimizers: interior (ρ − 1.7)², log²ρ, and minima at either end returned exactly', () => {
    expect(Math.abs(rayMinimizer(target, co, (_t, i) => (rhoOf(i) - 1.7) ** 2).rho - 1.7)).toBeLessThanOrEqual(1e-8);
    expect(Math.abs(rayMinimizer(target, co, (_t, i) => Math.log(rhoOf(i)) ** 2).rho - 1)).toBeLessThanOrEqual(1e-8);
    expect(rayMinimizer(target, co, (_t, i) => rhoOf(i)).rho).toBeCloseTo(LO, 14);
    expect(rayMinimizer(target, co, (_t, i) => -rhoOf(i)).rho).toBeCloseTo(HI, 14);
    // Never asks for ρ outside [lo, hi] (ρ ≤ 0 would be no Gaussian).
    expect(() => rayMinimizer(target, co, (_t, i) => { const r = rhoOf(i); if (r < LO - 1e-15 || r > HI + 1e-15) throw new RangeError(`ρ = ${r}`); return r; })).not.toThrow();
  });

  const paths: FlowPathSpec[] = [{ kind: 'rectified' }, { kind: 'ot', sigmaMin: 0.01 }, { kind: 'icfm', sigma: 0.3 }];
  for (const path of paths) for (const t of [0.2, 0.5, 0.9]) {
    test(`${path.kind}, t = ${t}: FM is minimized at the target (ρ = 1, FM ≥ 0 and 0 there); CFM's ray minimum is no worse than the grid's`, () => {
      const c = flowCoefficients(path, t);
      const fm = rayMinimizer(target, c, distillationFm);
      expect(Math.abs(fm.rho - 1)).toBeLessThanOrEqual(1e-6);
      expect(Math.abs(fm.value)).toBeLessThanOrEqual(1e-12 * Math.abs(distillationFm(target, rayInput(target, 2), c)));
      const cfm = rayMinimizer(target, c, distillationCfm);
      const grid = gridMinimum((rho) => distillationCfm(target, rayInput(target, rho), c));
      expect(cfm.value).toBeLessThanOrEqual(grid.value + 1e-12 * Math.abs(grid.value));
      // Negative control: the target (ρ = 1) is not CFM's ray minimizer — the grid beats it (MATH.md §19.8).
      expect(distillationCfm(target, target, c)).toBeGreaterThan(grid.value * (1 + 1e-6));
    });
  }
});
