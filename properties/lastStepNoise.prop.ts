import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { scaledLinearSchedule } from '../src/diffusion/index.ts';
import type { ReverseVarianceKind } from '../src/diffusion/reverseVariance.ts';
import { Gaussian } from '../src/gaussian/index.ts';
import { fromRows } from '../src/linalg/index.ts';
import { finalKlConvention, finalSamplerLaw } from '../src/theory/lastStepNoise.ts';
import { matchedGaussianGuidance } from '../src/theory/mismatch.ts';

// MATH.md §13.11: the KL table of the two last-step conventions must equal what the code computes.

const target = new Gaussian([1, -0.5, 0.3], fromRows([[2, 0.3, 0], [0.3, 1, 0.2], [0, 0.2, 0.5]]));
const Ts = [20, 40, 80, 160, 320];

function tableRows(): { variance: ReverseVarianceKind; last: 'noisy-last' | 'mean-last'; values: number[] }[] {
  const math = readFileSync(new URL('../docs/MATH.md', import.meta.url), 'utf8');
  const section = math.slice(math.indexOf('### 13.11'));
  return section.split('\n').filter((l) => /^\| (\(1−α_t\)\/α_t|β_t) \| (noisy|mean)-last/.test(l)).map((l) => {
    const cells = l.split('|').map((c) => c.trim()).filter((c) => c.length > 0);
    return { variance: cells[0] === 'β_t' ? 'beta' : 'seed', last: cells[1] as 'noisy-last' | 'mean-last', values: cells.slice(2).map(Number) };
  });
}

describe('last-step conventions', () => {
  test('MATH.md §13.11 quotes the code\'s KLs (three significant digits) for both conventions', () => {
    const rows = tableRows();
    expect(rows.length).toBe(4);
    for (const r of rows) {
      Ts.forEach((T, i) => {
        const s = scaledLinearSchedule(T);
        const kl = finalKlConvention(target, s, matchedGaussianGuidance(target, s), r.variance, r.last);
        expect(Math.abs(kl - r.values[i])).toBeLessThanOrEqual(5e-3 * kl);
      });
    }
  });

  test('the noisy-last law is the mean-last law plus σ_1² I (and the liang2025 claims use noisy-last)', () => {
    const s = scaledLinearSchedule(40);
    const g = matchedGaussianGuidance(target, s);
    const a = finalSamplerLaw(s, g, 'seed', 3, 'noisy-last'), b = finalSamplerLaw(s, g, 'seed', 3, 'mean-last');
    const v = s.beta(1) / s.alpha(1);
    for (let i = 0; i < 9; i++) expect(Math.abs(a.cov.data[i] - b.cov.data[i] - (i % 4 === 0 ? v : 0))).toBeLessThanOrEqual(1e-15);
  });

  test('negative control: the numbers once quoted in §4 (0.102, 0.022, 0.0052, 0.0013, 0.00032) match neither convention', () => {
    const old = [0.102, 0.022, 0.0052, 0.0013, 0.00032];
    for (const last of ['noisy-last', 'mean-last'] as const) for (const variance of ['seed', 'beta', 'posterior'] as const) {
      const ok = Ts.every((T, i) => {
        const s = scaledLinearSchedule(T);
        return Math.abs(finalKlConvention(target, s, matchedGaussianGuidance(target, s), variance, last) - old[i]) <= 5e-3 * old[i];
      });
      expect(ok).toBe(false);
    }
  });
});
