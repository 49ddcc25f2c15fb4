import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { dimension, flowPath, flowTime, gaussianOfDim, affineScoreModel, affineConditionalScoreModel, linearEncoder } from '../src/arbitraries/index.ts';
import { conditionedByEncoder } from '../src/objectives/conditionedData.ts';
import { lipman2023Claims } from '../src/claims/lipman2023/index.ts';
import { tong2023Claims } from '../src/claims/tong2023/index.ts';
import { type FlowIdentityCase, checkFlowIdentity, checkFlowGradients, checkFlowMonteCarlo, flowIdentityCases, type FlowMcCase } from '../src/claims/lipman2023/cfm.ts';
import { checkContinuity, type ContinuityCase } from '../src/claims/lipman2023/marginalField.ts';
import { checkFlowInputBiasFormula, flowInputBiasCases } from '../src/claims/lipman2023/inputBias.ts';
import { FalseAlarmPlan } from '../src/engine/falseAlarmPlan.ts';
import { runProperty } from '../src/engine/runProperty.ts';
import { Gaussian } from '../src/gaussian/gaussian.ts';
import { GaussianMixture } from '../src/gaussian/mixture.ts';
import { fromRows } from '../src/linalg/index.ts';
import { createRng, criticalZ, perAssertionFalseAlarm } from '../src/mc/index.ts';
import { randomMlpScoreModel } from '../src/models/mlpScoreModel.ts';
import { continuityResidual } from '../src/theory/flowContinuity.ts';
import { type FlowCoefficients, flowCoefficients } from '../src/theory/flowPath.ts';
import { cfmAffine, cfmAffineGradient, conditionalTargetCovariance, flowConstant, fmAffine, fmAffineGradient, gaussianMarginalVelocity } from '../src/theory/flowMatchingGaussian.ts';
import { AffineScoreModel } from '../src/models/affineScoreModel.ts';
import { mixtureMarginalVelocity, type FlowMarginalField } from '../src/theory/flowMatchingMixture.ts';
import { conditionalCfmAffine, flowInputBiasGap, flowInputBiasGapGradient } from '../src/theory/flowInputBias.ts';
import { pairConditioningExcess, pathNoiseLevel, velocityScoreCoefficients } from '../src/theory/flowScoreLink.ts';
import { encoderInputBiasGap } from '../src/theory/inputBias.ts';

/*
 * MATH.md §19: the flow-matching identities on generated cases, each with a negative control (a
 * deliberately wrong piece the same check must reject), and every lipman2023/tong2023 claim through
 * the engine with its expected verdict.
 */
const seed = fc.readConfigureGlobal().seed as number;
const SPD = { maxConditionNumber: 100 } as const;

describe('CFM and FM closed forms (MATH.md §19.2)', () => {
  test.prop([dimension({ max: 3 }).chain((d) => fc.record({ data: gaussianOfDim(d, SPD), model: affineScoreModel(d, 1), path: flowPath(), t: flowTime(), seed: fc.integer({ min: 0, max: 1e6 }) }))], { numRuns: 12 })(
    'CFM(W, b) equals the mean of ‖v(x_t) − u_t‖² over draws (z-test with the exact per-draw variance)',
    ({ data, model, path, t, seed: s }) => {
      // α from the suite budget (flowMatching.mc: 12 runs); power: n = 20000 draws detect a shift of
      // (z_α + z_0.99)·sd/√n ≈ 0.058 per-draw standard deviations with probability 0.99.
      const alpha = perAssertionFalseAlarm('flowMatching.mc');
      const co = flowCoefficients(path, t);
      const { mean, variance } = cfmAffine(model, data, co);
      const rng = createRng(`flow-cfm/${s}`);
      const d = data.dim, n = 20000;
      const x0 = new Float64Array(d), e = new Float64Array(d), xi = new Float64Array(d), xt = new Float64Array(d), v = new Float64Array(d);
      let sum = 0;
      for (let k = 0; k < n; k++) {
        data.sampleInto(rng, x0);
        rng.fillNormal(e);
        rng.fillNormal(xi);
        for (let i = 0; i < d; i++) xt[i] = co.a * x0[i] + co.s * e[i] + co.r * xi[i];
        model.evaluate(xt, v);
        for (let i = 0; i < d; i++) sum += (v[i] - (co.da * x0[i] + co.ds * e[i] + co.dr * xi[i])) ** 2;
      }
      expect(Math.abs(sum / n - mean)).toBeLessThanOrEqual(criticalZ(alpha) * Math.sqrt(variance / n) + 1e-12 * mean);
    },
  );

  test.prop([dimension({ max: 4 }).chain((d) => fc.record({ data: gaussianOfDim(d, SPD), path: flowPath(), t: flowTime() }))], { numRuns: 60 })(
    'the spectral constant equals tr(Cov(u) − K S⁻¹ Kᵀ); the marginal velocity minimizes CFM (FM = 0 there, CFM = C_t)',
    ({ data, path, t }) => {
      const co = flowCoefficients(path, t);
      const C = flowConstant(data, co);
      const M = conditionalTargetCovariance(data, co);
      let tr = 0;
      for (let i = 0; i < data.dim; i++) tr += M.data[i * data.dim + i];
      expect(Math.abs(tr - C)).toBeLessThanOrEqual(1e-10 * Math.max(1, C));
      const f = gaussianMarginalVelocity(data, co);
      const vstar = new AffineScoreModel(f.A, f.c);
      expect(fmAffine(vstar, data, co).mean).toBeLessThanOrEqual(1e-10 * Math.max(1, C));
      expect(Math.abs(cfmAffine(vstar, data, co).mean - C)).toBeLessThanOrEqual(1e-9 * Math.max(1, C));
    },
  );

  test.prop([flowIdentityCases()], { numRuns: 40 })('negative control: the DSM-style constant (no β² factor) is rejected wherever it differs', (c: FlowIdentityCase) => {
    const co = flowCoefficients(c.path, c.t);
    if (!(co.a > 0 && co.s > 0)) return;
    const wrong = (data: Gaussian, k: FlowCoefficients) => flowConstant(data, k) / (velocityScoreCoefficients(k).beta ** 2 || 1);
    const beta2 = velocityScoreCoefficients(co).beta ** 2;
    if (Math.abs(beta2 - 1) < 1e-3) return;
    expect(checkFlowIdentity(c, wrong).holds).toBe(false);
  });

  it('negative control: a gradient of FM taken against the wrong field fails the gradient check', () => {
    const data = new Gaussian([0.5, -1], fromRows([[2, 0.3], [0.3, 1]]));
    const model = new AffineScoreModel(fromRows([[0.3, -0.2], [0.1, 0.5]]), [0.1, -0.3]);
    const c = { data, path: { kind: 'rectified' as const }, t: 0.4, model };
    expect(checkFlowGradients(c).holds).toBe(true);
    const wrongFm = (m: typeof model, d: Gaussian, co: FlowCoefficients) => {
      const g = new Float64Array(6);
      const shifted = flowCoefficients({ kind: 'rectified' }, co.t + 0.1);
      g.set(fmAffineGradient(m, d, shifted));
      return g;
    };
    expect(checkFlowGradients(c, { cfmGradient: cfmAffineGradient, fmGradient: wrongFm }).holds).toBe(false);
  });
});

describe('mixtures: the marginal velocity and the continuity equation (MATH.md §19.3)', () => {
  const mix = new GaussianMixture([0.3, 0.7], [new Gaussian([2, -1], fromRows([[0.2, 0.05], [0.05, 0.3]])), new Gaussian([-1.5, 0.5], fromRows([[0.4, -0.1], [-0.1, 0.25]]))]);

  /** The "treat the data as Gaussian" bug: the moment-matched Gaussian's velocity. */
  const momentMatched = (data: Gaussian | GaussianMixture, co: FlowCoefficients): FlowMarginalField => {
    if (data instanceof Gaussian) return mixtureMarginalVelocity(data, co);
    const d = data.dim, mean = new Float64Array(d), cov = new Float64Array(d * d);
    data.components.forEach((g, k) => { for (let i = 0; i < d; i++) mean[i] += data.weights[k] * g.mean[i]; });
    data.components.forEach((g, k) => {
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) cov[i * d + j] += data.weights[k] * (g.cov.data[i * d + j] + (g.mean[i] - mean[i]) * (g.mean[j] - mean[j]));
    });
    const exact = mixtureMarginalVelocity(data, co);
    const wrong = mixtureMarginalVelocity(new Gaussian(mean, { rows: d, cols: d, data: cov }), co);
    return { ...exact, evaluate: wrong.evaluate };
  };

  it('the Monte Carlo claim holds with the exact field and rejects the moment-matched Gaussian field (its negative control)', () => {
    const falseAlarm = perAssertionFalseAlarm('flowMatching.mc');
    const offset = randomMlpScoreModel(createRng('flow-offset'), { dim: 2, hidden: 8, scale: 1 });
    // Times where the moment-matched field is off by more than the 10 % of C_t the test is sized to detect.
    for (const t of [0.2, 0.4]) {
      const c: FlowMcCase = { data: mix, path: { kind: 'rectified' }, t, offset, amplitude: 0.5, seed: 7 };
      const good = checkFlowMonteCarlo(c, falseAlarm);
      expect(good.holds, JSON.stringify(good.quantities)).toBe(true);
      expect(good.detectable!.met).toBe(true);
      expect(checkFlowMonteCarlo(c, falseAlarm, 0, momentMatched).holds).toBe(false);
    }
  });

  test.prop([fc.record({ path: flowPath(), t: flowTime(), offset: fc.array(fc.integer({ min: -20, max: 20 }).map((k) => k / 10), { minLength: 2, maxLength: 2 }) })], { numRuns: 40 })(
    'the continuity residual is within its error estimate for the exact field and far outside it for a field evaluated at the wrong time',
    ({ path, t, offset }) => {
      const c: ContinuityCase = { data: mix, path, t, offset };
      expect(checkContinuity(c).holds).toBe(true);
      const late = checkContinuity(c, (data, p, tt, x) => {
        const r = continuityResidual(data, p, tt, x);
        // a field one step late: v*_{t+0.05} in place of v*_t (a time-index bug)
        const f = mixtureMarginalVelocity(data, flowCoefficients(p, tt + 0.05)), g = mixtureMarginalVelocity(data, flowCoefficients(p, tt));
        const v1 = f.evaluate(x, new Float64Array(2)), v0 = g.evaluate(x, new Float64Array(2)), s = g.marginal.score(x);
        return { ...r, residual: r.residual + (v1[0] - v0[0]) * s[0] + (v1[1] - v0[1]) * s[1] };
      });
      // A wrong field is rejected wherever it moves the transport term beyond the tolerance.
      if (Math.abs((late.maxError ?? 0)) > 1e-3) expect(late.holds).toBe(false);
    },
  );

  it('negative control: responsibilities of the data (not of q_t) break the continuity equation', () => {
    const c: ContinuityCase = { data: mix, path: { kind: 'rectified' }, t: 0.5, offset: [0.4, -0.3] };
    expect(checkContinuity(c).holds).toBe(true);
    const wrong = checkContinuity(c, (data, p, tt, x) => {
      const r = continuityResidual(data, p, tt, x);
      const co = flowCoefficients(p, tt);
      const exact = mixtureMarginalVelocity(data, co);
      const rho = (data as GaussianMixture).responsibilities(x);
      const comps = (data as GaussianMixture).components.map((g) => mixtureMarginalVelocity(g, co).evaluate(x, new Float64Array(2)));
      const w = [0, 1].map((i) => rho[0] * comps[0][i] + rho[1] * comps[1][i]);
      const v = exact.evaluate(x, new Float64Array(2)), s = exact.marginal.score(x);
      return { ...r, residual: r.residual + (w[0] - v[0]) * s[0] + (w[1] - v[1]) * s[1] };
    });
    expect(wrong.holds).toBe(false);
  });
});

describe('the velocity–score link and the input bias (MATH.md §19.4, §19.7)', () => {
  test.prop([dimension({ max: 3 }).chain((d) => fc.record({ data: gaussianOfDim(d, SPD), enc: linearEncoder(d, { k: 2 }), model: affineConditionalScoreModel(d, 2, 1), path: flowPath(), t: flowTime(), seed: fc.integer({ min: 0, max: 1e6 }) }))], { numRuns: 8 })(
    'conditional CFM equals the mean of ‖v(x_t, c) − u_t‖² over draws of (x₀, c, ε, ξ) (z-test with the exact per-draw variance)',
    ({ data, enc, model, path, t, seed: s }) => {
      // α from flowMatching.mc (8 runs); n = 20000 detects 0.058 per-draw standard deviations at power 0.99.
      const alpha = perAssertionFalseAlarm('flowMatching.mc');
      const co = flowCoefficients(path, t);
      const { mean, variance } = conditionalCfmAffine(model, conditionedByEncoder(data, enc), co);
      const rng = createRng(`flow-cond-cfm/${s}`);
      const d = data.dim, k = 2, n = 20000;
      const x0 = new Float64Array(d), e = new Float64Array(d), xi = new Float64Array(d), xt = new Float64Array(d), c = new Float64Array(k), z = new Float64Array(k), v = new Float64Array(d);
      let sum = 0;
      for (let m = 0; m < n; m++) {
        data.sampleInto(rng, x0);
        rng.fillNormal(e);
        rng.fillNormal(xi);
        rng.fillNormal(z);
        for (let i = 0; i < k; i++) { c[i] = enc.b[i] + enc.tau * z[i]; for (let j = 0; j < d; j++) c[i] += enc.B.data[i * d + j] * x0[j]; }
        for (let i = 0; i < d; i++) xt[i] = co.a * x0[i] + co.s * e[i] + co.r * xi[i];
        model.evaluate(xt, c, v);
        for (let i = 0; i < d; i++) sum += (v[i] - (co.da * x0[i] + co.ds * e[i] + co.dr * xi[i])) ** 2;
      }
      expect(Math.abs(sum / n - mean)).toBeLessThanOrEqual(criticalZ(alpha) * Math.sqrt(variance / n) + 1e-12 * mean);
    },
  );

  test.prop([dimension({ max: 3 }).chain((d) => fc.record({ data: gaussianOfDim(d, SPD), enc: linearEncoder(d), path: flowPath({ icfm: false }), t: flowTime(0.001, 0.999) }))], { numRuns: 60 })(
    'on Gaussian paths the flow gap is β_t² times Xu\'s DSM gap; I-CFM adds d(ṡr − ṙs)²/σ̃²',
    ({ data, enc, path, t }) => {
      const co = flowCoefficients(path, t);
      const { beta } = velocityScoreCoefficients(co);
      const G = flowInputBiasGap(data, enc, co), dsm = encoderInputBiasGap(data, enc, pathNoiseLevel(co));
      expect(Math.abs(G - beta * beta * dsm)).toBeLessThanOrEqual(1e-9 * Math.max(G, 1e-300) + 1e-12);
      const ico = flowCoefficients({ kind: 'icfm', sigma: 0.3 }, t);
      const ib = velocityScoreCoefficients(ico).beta;
      const Gi = flowInputBiasGap(data, enc, ico), di = encoderInputBiasGap(data, enc, pathNoiseLevel(ico));
      expect(Math.abs(Gi - ib * ib * di - data.dim * pairConditioningExcess(ico))).toBeLessThanOrEqual(1e-9 * Gi);
    },
  );

  test.prop([dimension({ max: 3 }).chain((d) => fc.record({ data: gaussianOfDim(d, SPD), enc: linearEncoder(d, { k: 2 }), path: flowPath(), t: flowTime() }))], { numRuns: 40 })(
    '∇_B of the gap equals central differences; descending it shrinks the posterior variance (the gap falls)',
    ({ data, enc, path, t }) => {
      const co = flowCoefficients(path, t);
      const g = flowInputBiasGapGradient(data, enc, co);
      let gmax = 0;
      for (let i = 0; i < g.data.length; i++) {
        const h = 1e-5 * Math.max(1, Math.abs(enc.B.data[i]));
        const at = (dB: number) => { const B = Float64Array.from(enc.B.data); B[i] += dB; return flowInputBiasGap(data, { ...enc, B: { ...enc.B, data: B } }, co); };
        const fd = (at(h) - at(-h)) / (2 * h);
        gmax = Math.max(gmax, Math.abs(g.data[i]));
        expect(Math.abs(fd - g.data[i])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(g.data[i])) + 1e-8 * flowInputBiasGap(data, enc, co));
      }
      // a small step against the gradient lowers the gap (unless the gap does not depend on B here)
      if (gmax > 1e-8) {
        const step = 1e-4 / gmax;
        const B = Float64Array.from(enc.B.data, (v, i) => v - step * g.data[i]);
        expect(flowInputBiasGap(data, { ...enc, B: { ...enc.B, data: B } }, co)).toBeLessThan(flowInputBiasGap(data, enc, co));
      }
    },
  );

  test.prop([flowInputBiasCases(3)], { numRuns: 40 })('negative control: the DSM gap in score units (without β_t²) is rejected where β_t² ≠ 1', (c) => {
    const co = flowCoefficients(c.path, c.t);
    if (!(co.a > 0 && co.s > 0) || co.r !== 0) return;
    const beta2 = velocityScoreCoefficients(co).beta ** 2;
    if (Math.abs(beta2 - 1) < 1e-3) return;
    expect(checkFlowInputBiasFormula(c, (data, enc, k) => encoderInputBiasGap(data, enc, pathNoiseLevel(k))).holds).toBe(false);
  });
});

describe('every flow-matching claim earns its expected verdict through the engine', () => {
  for (const claim of [...lipman2023Claims, ...tong2023Claims]) {
    it(`${claim.id} (${claim.expected})`, async () => {
      const runs = claim.assertionsPerCase > 0 ? 6 : 60;
      const plan = new FalseAlarmPlan(1e-6, [{ id: claim.id, assertionsPerCase: claim.assertionsPerCase, runs }]);
      const r = await runProperty(claim, { seed, runs, falseAlarm: plan, save: false, replaySaved: false });
      expect(r.finding, r.reason).toBe(claim.expected === 'holds' ? 'holds' : 'fails');
    });
  }
});
