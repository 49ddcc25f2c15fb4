import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { DimensionMismatchError, InvalidArgumentError, NotSPDError, ScorecheckError } from '../src/errors.ts';
import { Gaussian } from '../src/gaussian/index.ts';
import { fromRows, identity } from '../src/linalg/index.ts';
import { createRng } from '../src/mc/index.ts';
import { linearSchedule, vpFromBetas, vpLevel } from '../src/diffusion/index.ts';
import { AffineScoreModel, AffineConditionalScoreModel, randomMlpScoreModel } from '../src/models/index.ts';
import { conditionedByEncoder, dsmAffine, dsmMinusEsmMonteCarlo, esmAffine, weightedDsmAffine } from '../src/objectives/index.ts';
import {
  conditionalScoreNormTerm, encoderPosteriorCovariance, inputBiasGap, sdsDsm, sdsEsm, vincentConstant, vincentConstantMixture, weightedVincentConstant,
} from '../src/index.ts';

// Bad input → a typed error that names the field (and value); never a NaN result.

const data = new Gaussian([0, 1], fromRows([[2, 0.3], [0.3, 1]]));
const level = vpLevel(0.5);
const model = new AffineScoreModel(identity(2), [0, 0]);

function fieldOf(f: () => unknown): string {
  try {
    const v = f();
    return `no error (returned ${JSON.stringify(v)})`;
  } catch (e) {
    if (!(e instanceof ScorecheckError)) return `untyped ${(e as Error).name}: ${(e as Error).message}`;
    return (e as { field?: string }).field ?? (e as Error).message;
  }
}

const badNumbers = fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY);

describe('typed errors naming the field', () => {
  const cases: [string, () => unknown, string | RegExp, new (...a: any[]) => Error][] = [
    ['noise level a = NaN', () => vincentConstant(data, { a: Number.NaN, s: 1 }), 'level.a', InvalidArgumentError],
    ['noise level s = 0', () => vincentConstant(data, { a: 1, s: 0 }), 'level.s', InvalidArgumentError],
    ['asymmetric dataCov', () => encoderPosteriorCovariance(fromRows([[1, 0.5], [0, 1]]), identity(2), 1), 'dataCov', NotSPDError],
    ['non-SPD dataCov', () => encoderPosteriorCovariance(fromRows([[1, 2], [2, 1]]), identity(2), 1), 'dataCov', NotSPDError],
    ['NaN in dataCov', () => encoderPosteriorCovariance(fromRows([[1, Number.NaN], [Number.NaN, 1]]), identity(2), 1), 'dataCov', NotSPDError],
    ['encoder B with wrong columns', () => encoderPosteriorCovariance(data.cov, identity(3), 1), 'B', DimensionMismatchError],
    ['tau = 0', () => encoderPosteriorCovariance(data.cov, identity(2), 0), 'tau', InvalidArgumentError],
    ['tau = -1 in an encoder', () => conditionedByEncoder(data, { B: identity(2), b: new Float64Array(2), tau: -1 }), 'encoder.tau', InvalidArgumentError],
    ['asymmetric posteriorCov', () => inputBiasGap(fromRows([[1, 0.2], [0.1, 1]]), level), 'posteriorCov', NotSPDError],
    ['negative posterior variance', () => conditionalScoreNormTerm(fromRows([[-5, 0], [0, 1]]), level), /posteriorCov/, NotSPDError],
    ['model of the wrong dimension', () => dsmAffine(new AffineScoreModel(identity(3), [0, 0, 0]), data, level), 'model.A', DimensionMismatchError],
    ['NaN in model.b', () => new AffineScoreModel(identity(2), [0, Number.NaN]), 'model.b[1]', InvalidArgumentError],
    ['conditional model B of wrong height', () => new AffineConditionalScoreModel(identity(2), identity(3), [0, 0]), 'model.B', DimensionMismatchError],
    ['SDS input mean of wrong length', () => sdsDsm({ mean: [0], cov: data.cov }, data, level), 'input.mean', DimensionMismatchError],
    ['SDS input cov not PSD', () => sdsEsm({ mean: [0, 0], cov: fromRows([[-1, 0], [0, 1]]) }, data, level), 'input.cov', NotSPDError],
    ['SDS input mean Infinity', () => sdsEsm({ mean: [0, Infinity], cov: data.cov }, data, level), 'input.mean[1]', InvalidArgumentError],
    ['MC sample count 1', () => dsmMinusEsmMonteCarlo(model, data, level, createRng(1), 1), 'n', InvalidArgumentError],
    ['MC model dimension', () => dsmMinusEsmMonteCarlo(randomMlpScoreModel(createRng(1), { dim: 3 }), data, level, createRng(1), 10), 'model.dim', DimensionMismatchError],
    ['mixture C_t with n = 0.5', () => vincentConstantMixture(data, level, createRng(1), 0.5), 'n', InvalidArgumentError],
    ['schedule beta outside (0, 1)', () => vpFromBetas([0.1, 1.2]), 'schedule.betas[1]', InvalidArgumentError],
    ['timestep out of range', () => linearSchedule(10).level(11), 't', InvalidArgumentError],
    ['weights of the wrong length', () => weightedVincentConstant(data, linearSchedule(5), [1, 1]), 'weights', DimensionMismatchError],
    ['negative weight', () => weightedDsmAffine(model, data, linearSchedule(3), [1, -1, 1]), 'weights[1]', InvalidArgumentError],
    ['alphaBar = 1', () => vpLevel(1), 'alphaBar', InvalidArgumentError],
  ];
  for (const [name, f, field, type] of cases) {
    test(`${name} → ${type.name} naming ${field}`, () => {
      expect(f).toThrow(type);
      const got = fieldOf(f);
      if (typeof field === 'string') expect(got).toBe(field);
      else expect(got).toMatch(field);
    });
  }

  test.prop([badNumbers, fc.integer({ min: 0, max: 3 }), fc.constantFrom('vincent', 'esm', 'sds', 'gap')])(
    'a non-finite entry anywhere in a covariance, mean or level gives a typed error, never NaN',
    (bad, where, fn) => {
      const cov = fromRows([[2, 0.3], [0.3, 1]]);
      const mean = [0, 1];
      let lv = { a: level.a, s: level.s };
      if (where === 0) { cov.data[0] = bad; }
      else if (where === 1) { cov.data[1] = bad; cov.data[2] = bad; }
      else if (where === 2) mean[1] = bad;
      else lv = { a: bad, s: level.s };
      const run = () => {
        const g = new Gaussian(mean, cov);
        if (fn === 'vincent') return vincentConstant(g, lv);
        if (fn === 'esm') return esmAffine(model, g, lv).mean;
        if (fn === 'sds') return sdsDsm({ mean, cov }, data, lv);
        return inputBiasGap(cov, lv);
      };
      let result: unknown;
      try {
        result = run();
      } catch (e) {
        expect(e).toBeInstanceOf(ScorecheckError);
        expect((e as Error).message).toMatch(/mean|cov|level|posteriorCov|gaussian/);
        return;
      }
      throw new Error(`no error; returned ${String(result)}`);
    },
  );
});
