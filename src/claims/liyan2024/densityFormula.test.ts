import { describe, expect, it } from 'vitest';
import { generateCase } from '../../engine/choices/generateCase.ts';
import { readReplaySpec } from '../../engine/replaySpec.ts';
import { densityFormulaLogDensity } from '../../theory/densityFormula.ts';
import { mmseNoisePredictor } from '../../theory/mmseNoisePredictor.ts';
import { formulaMixture } from './densityFormula.ts';

// `verify --runs 2000 --seed 4242` found this mixture (a component with variance 0.17 along one axis): Gauss–Hermite
// with 24² and 16² nodes erred alike (−8.4e-4, −9.7e-4), so |fine − coarse| (8.2e-4) under-stated the fine rule's
// error — the pre-asymptotic regime. The inner-rule estimate now also compares with a 12² rule.
const token = 'choices:WzIsMywzLC0xMywwLDAsMywyLDIwMCwxNzMsNTAsMiwtNTQsLTcyLDEsLTE5MDYsMiwwLDAsMCwyLC01NCwwLDEsLTk5OSwyLC0xOTksMTY4LC0yMiwyLC01NCw2NSwxLDAsMiwtNjcsMjIxLDBd';

describe('liyan2024.densityFormula.mixture: the inner-rule error estimate', () => {
  const [replay] = readReplaySpec(token, formulaMixture.id).get(formulaMixture.id) ?? [];
  const { m, x } = generateCase(formulaMixture.cases(), replay?.choices ?? [], { kind: 'simplest' }).value;

  it('bounds the error where two rules agree with each other but not with the truth', () => {
    const r = densityFormulaLogDensity(x, mmseNoisePredictor(m), { inner: { kind: 'gauss-hermite' }, relTol: 1e-10, absTol: 1e-10 });
    const err = Math.abs(r.logDensity - m.logPdf(x));
    expect(err).toBeGreaterThan(8e-4); // the case is hard: the 24² rule is off by 8.4e-4
    expect(err).toBeLessThanOrEqual(r.quadratureError);
    expect(formulaMixture.check({ m, x }, { falseAlarm: 1e-6, replicate: 0 }).holds).toBe(true);
  });

  it('negative control: the estimate shrinks as the rule is refined, and the error with it', () => {
    const at = (nodes: number) => densityFormulaLogDensity(x, mmseNoisePredictor(m), { inner: { kind: 'gauss-hermite', nodes }, relTol: 1e-10, absTol: 1e-10 });
    const coarse = at(24), fine = at(64);
    expect(fine.quadratureError).toBeLessThan(coarse.quadratureError / 10);
    expect(Math.abs(fine.logDensity - m.logPdf(x))).toBeLessThan(1e-5);
  });
});
