import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { gaussianOfDim, mixtureOfDim, simpleDouble, vpSchedule } from '../src/arbitraries/index.ts';
import { scaledLinearSchedule } from '../src/diffusion/index.ts';
import type { Gaussian } from '../src/gaussian/index.ts';
import { fitPowerLaw } from '../src/numerics/index.ts';
import { ddpmDecomposition, expectedDdpmDecomposition } from '../src/theory/ddpmDecomposition.ts';
import { ddpmElbo, ddpmModelLogLikelihood, gaussianScoreModel, marginalPrior, standardPrior } from '../src/theory/elbo.ts';
import { dataMoments, isotropicElboMinimizer, isotropicNllMinimizer, isotropicSamplerNllMinimizer } from '../src/theory/elboFit.ts';

// MATH.md §3: the discrete DDPM decomposition of log q(x_0), and the ELBO of a Gaussian-kernel model.
const SPD = { maxConditionNumber: 1e3, centreRange: 1, meanBound: 3 } as const;
const dataArb = () => fc.integer({ min: 1, max: 3 }).chain((d) => gaussianOfDim(d, SPD));
const offsets = fc.array(simpleDouble(-3, 3, 2), { minLength: 3, maxLength: 3 });
const pointNear = (g: Gaussian, u: readonly number[]) => {
  const x = Float64Array.from(g.mean);
  for (let i = 0; i < g.dim; i++) for (let k = 0; k <= i; k++) x[i] += g.chol.data[i * g.dim + k] * u[k];
  return x;
};
const TOL = 1e-10;

describe('DDPM decomposition and ELBO (Li & Yan 2024)', () => {
  test.prop([dataArb(), vpSchedule({ maxT: 2000 }), offsets], { numRuns: 60 })(
    'prior + reconstruction − Σ KL = log q(x_0) to 1e-10 for every T and schedule',
    (g, schedule, u) => {
      const x0 = pointNear(g, u);
      const r = ddpmDecomposition(g, schedule, x0);
      const lq = g.logPdf(x0);
      expect(Math.abs(r.total - lq)).toBeLessThanOrEqual(TOL * Math.max(1, Math.abs(lq)));
      expect(r.kls.every((k) => k >= 0)).toBe(true);
      const e = expectedDdpmDecomposition(g, schedule);
      const negH = -0.5 * (g.dim * Math.log(2 * Math.PI * Math.E) + g.logDetCov());
      expect(Math.abs(e.total - negH)).toBeLessThanOrEqual(TOL * Math.max(1, Math.abs(negH)));
    },
  );

  test('negative control: the decomposition without the KL terms is rejected', () => {
    const out = fc.check(
      fc.property(dataArb(), vpSchedule({ minT: 2, maxT: 200 }), offsets, (g, s, u) => {
        const x0 = pointNear(g, u);
        const r = ddpmDecomposition(g, s, x0);
        return Math.abs(r.prior + r.reconstruction - g.logPdf(x0)) <= TOL * Math.max(1, Math.abs(g.logPdf(x0)));
      }),
      { numRuns: 20 },
    );
    expect(out.failed).toBe(true);
  });

  const modelCase = () => fc.tuple(dataArb(), vpSchedule({ maxT: 300 }), offsets, fc.constantFrom('beta' as const, 'betaTilde' as const));
  test.prop([modelCase()], { numRuns: 40 })('ELBO ≤ log p_θ(x_0) (the model\'s own likelihood), exact-score model, prior N(0, I)', ([g, s, u, variance]) => {
    const x0 = pointNear(g, u);
    const model = { score: gaussianScoreModel(g, s), variance, prior: standardPrior(g.dim) };
    const elbo = ddpmElbo(model, s, { mean: x0 }).elbo;
    const lp = ddpmModelLogLikelihood(model, s, x0);
    expect(elbo).toBeLessThanOrEqual(lp + 1e-9 * Math.max(1, Math.abs(lp)));
  });

  test('negative control: an "ELBO" that adds the KL terms instead of subtracting them exceeds log p_θ', () => {
    const out = fc.check(
      fc.property(modelCase(), ([g, s, u, variance]) => {
        const x0 = pointNear(g, u);
        const model = { score: gaussianScoreModel(g, s), variance, prior: standardPrior(g.dim) };
        const t = ddpmElbo(model, s, { mean: x0 });
        return t.prior + t.reconstruction + t.klSum <= ddpmModelLogLikelihood(model, s, x0) + 1e-9;
      }),
      { numRuns: 30 },
    );
    expect(out.failed).toBe(true);
  });

  // Expected gap E[log q − ELBO] of the exact-score model with its own marginal as prior (no prior mismatch).
  const gapAt = (g: Gaussian, T: number, scoreScale = 1) => {
    const s = scaledLinearSchedule(T);
    const exact = gaussianScoreModel(g, s);
    const score = { dim: g.dim, at: (t: number) => { const r = exact.at(t); return { B: { ...r.B, data: r.B.data.map((v) => v * scoreScale) }, c: r.c.map((v) => v * scoreScale) }; } };
    const e = ddpmElbo({ score, variance: 'beta', prior: marginalPrior(g, s) }, s, { mean: g.mean, cov: g.cov }).elbo;
    return -0.5 * (g.dim * Math.log(2 * Math.PI * Math.E) + g.logDetCov()) - e;
  };
  const Ts = [100, 200, 400, 800];
  const SPD_GAP = { maxConditionNumber: 100, centreRange: 0.5, meanBound: 2 } as const;
  test.prop([fc.integer({ min: 1, max: 3 }).chain((d) => gaussianOfDim(d, SPD_GAP))], { numRuns: 15 })(
    'the expected ELBO gap is positive, decreases in T and vanishes at a measured power rate (exponent ≤ −0.5)',
    (g) => {
      const gaps = Ts.map((T) => gapAt(g, T));
      for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBeLessThan(gaps[i - 1]);
      expect(gaps.every((x) => x > 0)).toBe(true);
      expect(fitPowerLaw(Ts, gaps).exponent).toBeLessThanOrEqual(-0.5);
    },
  );

  test('negative control: with a 5 % wrong score the gap does not vanish (exponent > −0.5)', () => {
    const out = fc.check(
      fc.property(fc.integer({ min: 1, max: 3 }).chain((d) => gaussianOfDim(d, SPD_GAP)), (g) => fitPowerLaw(Ts, Ts.map((T) => gapAt(g, T, 1.05))).exponent <= -0.5),
      { numRuns: 10 },
    );
    expect(out.failed).toBe(true);
  });

  const fitData = () => fc.integer({ min: 1, max: 2 }).chain((d) => fc.oneof(gaussianOfDim(d, SPD_GAP), mixtureOfDim(d, { ...SPD_GAP, maxComponents: 3 })));
  test.prop([fitData()], { numRuns: 6 })(
    'ELBO minimizer over N(m, vI) = the NLL minimizer (1e-7), and approaches the T-step sampler-NLL minimizer as T grows',
    (data) => {
      const mom = dataMoments(data);
      const nll = isotropicNllMinimizer(mom);
      const dist: number[] = [];
      for (const T of [50, 200]) {
        const s = scaledLinearSchedule(T);
        const f = isotropicElboMinimizer(mom, s);
        expect(Math.abs(f.variance - nll.variance) / nll.variance).toBeLessThanOrEqual(1e-7);
        const h = isotropicSamplerNllMinimizer(mom, s);
        dist.push(Math.abs(h.variance - f.variance) / f.variance);
      }
      expect(dist[1]).toBeLessThan(dist[0]);
    },
  );

  // Each ELBO term is minimized at the moment-matched member (the DDPM mean from the exact
  // score is the exact posterior mean; the objective sees the data only through μ and tr S),
  // so the coincidence is exact; a different objective — the T-step sampler's own NLL — is not.
  test('negative control: the T-step sampler-NLL minimizer (T = 20) fails the 1e-7 coincidence', () => {
    const out = fc.check(
      fc.property(fitData(), (data) => {
        const mom = dataMoments(data);
        const nll = isotropicNllMinimizer(mom);
        const h = isotropicSamplerNllMinimizer(mom, scaledLinearSchedule(20));
        return Math.abs(h.variance - nll.variance) / nll.variance <= 1e-7;
      }),
      { numRuns: 5 },
    );
    expect(out.failed).toBe(true);
  });
});
