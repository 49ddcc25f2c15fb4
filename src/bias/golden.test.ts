import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { vpFromAlphaBars } from '../diffusion/schedule.ts';
import { fromRows, zeros } from '../linalg/index.ts';
import { syrkLower } from '../linalg/gram.ts';
import { computeBiasSync, finishBias } from './compute.ts';
import { centeredTimesBt, sampleMoments } from './samples.ts';
import { spectrumFromGram } from './spectrum.ts';

interface GoldenRow { alphaBar: number; Ct: number; scoreNormAtTarget: number; dsmAtCollapse: number; collapseAdvantage: number; inputBiasTerm: number; inputBiasGap: number }
interface GoldenCase { name: string; alphaBars: number[]; eps: number; cov?: number[][]; samples?: number[][]; encoder?: { B: number[][]; tau: number }; rows: GoldenRow[] }

const golden = JSON.parse(readFileSync(new URL('../../fixtures/bias/golden/golden.json', import.meta.url), 'utf8')) as { cases: GoldenCase[] };
const rel = (x: number, y: number) => Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y), 1e-300);
const FIELDS = ['Ct', 'scoreNormAtTarget', 'dsmAtCollapse', 'collapseAdvantage', 'inputBiasTerm', 'inputBiasGap'] as const;

function spectralRows(c: GoldenCase) {
  const schedule = vpFromAlphaBars(c.alphaBars);
  const data = c.cov ? { kind: 'covariance' as const, cov: fromRows(c.cov) } : { kind: 'samples' as const, samples: fromRows(c.samples!) };
  const encoder = c.encoder ? { B: fromRows(c.encoder.B), b: new Float64Array(c.encoder.B.length), tau: c.encoder.tau } : undefined;
  const r = computeBiasSync({ data, schedule, regularization: c.eps, ...(encoder ? { encoder } : {}) });
  return r.rows.map((row) => ({ Ct: row.Ct, scoreNormAtTarget: row.sds.scoreNormAtTarget, dsmAtCollapse: row.sds.dsmAtCollapse, collapseAdvantage: row.sds.collapseAdvantage, inputBiasTerm: row.inputBiasTerm, inputBiasGap: row.inputBiasGap }));
}

describe('bias calculator against 50-digit mpmath (fixtures/bias/golden/make_golden.py)', () => {
  for (const c of golden.cases) {
    it(`${c.name}: every quantity to 1e-10 relative, at ᾱ from 0.9999 to 4e-5`, () => {
      const rows = spectralRows(c);
      rows.forEach((r, i) => {
        for (const f of FIELDS) expect(rel(r[f], c.rows[i][f]), `${c.name} ᾱ = ${c.alphaBars[i]} ${f}: ${r[f]} vs ${c.rows[i][f]}`).toBeLessThan(1e-10);
      });
    });
  }

  it('negative control: dropping the encoder rows outside range(Σ) (they matter once Σ + εI is not zero there) misses the golden values', () => {
    const c = golden.cases.find((x) => x.name === 'n-lt-d-regularized-encoder')!;
    const X = fromRows(c.samples!);
    const m = sampleMoments(X);
    if (m.route !== 'gram') throw new Error('expected the Gram route');
    const { n, d, stride } = m;
    const centered = m.centered.view();
    const B = fromRows(c.encoder!.B);
    const K = zeros(n, n);
    syrkLower(centered, n, d, stride, K.data, n);
    // Built as if unregularized (so without the part of B outside range(Σ)), then analysed with ε.
    const wrong = spectrumFromGram(K, n, d, { XcBt: centeredTimesBt(centered, n, d, B, stride), regularization: 0 });
    const input = { data: { kind: 'samples' as const, samples: X }, schedule: vpFromAlphaBars(c.alphaBars), regularization: c.eps, encoder: { B, b: new Float64Array(3), tau: c.encoder!.tau } };
    const r = finishBias(input, wrong, 'gram-eigen', n, c.eps, {});
    const worst = Math.max(...r.rows.map((row, i) => rel(row.inputBiasTerm, c.rows[i].inputBiasTerm)));
    expect(worst).toBeGreaterThan(1e-6);
  });
});
