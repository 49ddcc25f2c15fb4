import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { type NoiseLevel, veLevel, vpLevel } from '../src/diffusion/index.ts';
import { Gaussian } from '../src/gaussian/index.ts';
import { fromRows } from '../src/linalg/index.ts';
import { conditionalScoreNormTerm, encoderInputBiasGap, linearEncoderPosteriorCovariance, sdsDsm, sdsEsm, vincentConstant } from '../src/index.ts';

// Golden values computed with mathjs BigNumber (64 digits) by fixtures/golden/generate.ts,
// independently of the float64 path. The float64 path on these well-conditioned
// (cond ≤ 10) cases is accurate to ~100ε: compare at relative 1e-12.
const golden = JSON.parse(readFileSync(new URL('../fixtures/golden/xu2025.json', import.meta.url), 'utf8'));
const REL = 1e-12;
const lv = (spec: { alphaBar?: number; sigma?: number }): NoiseLevel => (spec.alphaBar !== undefined ? vpLevel(spec.alphaBar) : veLevel(spec.sigma!));
const gauss = (g: { mean: number[]; cov: number[][] }) => new Gaussian(g.mean, fromRows(g.cov));
const rel = (x: number, ref: string) => Math.abs(x - Number(ref)) / Math.abs(Number(ref));

describe('golden values (BigNumber) pin the float64 formulas', () => {
  test.each<[string, any]>(golden.vincent.map((g: any) => [JSON.stringify(g.level), g]))('C_t at %s', (_n, g: any) => {
    expect(rel(vincentConstant(gauss(g.data), lv(g.level)), g.C_t)).toBeLessThanOrEqual(REL);
  });
  test.each<[string, any]>(golden.inputBias.map((g: any) => [JSON.stringify(g.level), g]))('input-bias term and gap at %s', (_n, g: any) => {
    const data = gauss(g.data);
    const enc = { B: fromRows(g.encoder.B), b: Float64Array.from(g.encoder.b), tau: g.encoder.tau };
    const post = linearEncoderPosteriorCovariance(data, enc);
    expect(rel(conditionalScoreNormTerm(post, lv(g.level)), g.conditionalScoreNormTerm)).toBeLessThanOrEqual(REL);
    expect(rel(encoderInputBiasGap(data, enc, lv(g.level)), g.inputBiasGap)).toBeLessThanOrEqual(REL);
  });
  test.each<[number, any]>(golden.sds.map((g: any, i: number) => [i, g]))('SDS DSM and ESM, case %s', (_i, g: any) => {
    const target = gauss(g.target);
    const input = { mean: g.input.mean, cov: fromRows(g.input.cov) };
    expect(rel(sdsDsm(input, target, lv(g.level)), g.dsm)).toBeLessThanOrEqual(REL);
    expect(rel(sdsEsm(input, target, lv(g.level)), g.esm)).toBeLessThanOrEqual(REL);
  });
  test('negative control: a C_t missing the s² (d/s instead of d/s²) misses the golden value', () => {
    const g = golden.vincent[0];
    const l = lv(g.level), data = gauss(g.data);
    const wrong = vincentConstant(data, l) - data.dim / l.s ** 2 + data.dim / l.s;
    expect(rel(wrong, g.C_t)).toBeGreaterThan(REL);
  });
});
