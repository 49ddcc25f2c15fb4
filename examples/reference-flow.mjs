// A correct scorecheck subject for the flow-matching training ops (docs/protocol.md §9), written the
// way diffusers' SD3 training script does it: FlowMatchEulerDiscreteScheduler's shifted sigma table
// (timesteps = linspace(1, N, N)[::-1], sigmas = shift·s/(1 + (shift − 1)s)),
// compute_density_for_timestep_sampling (logit_normal / mode / uniform, index ⌊u·N⌋ into the
// descending table), noisy = (1 − σ)x₀ + σε, the transformer called with timestep = σ·1000,
// precondition_outputs (x̂₀ = model_pred·(−σ) + noisy, target x₀), compute_loss_weighting_for_sd3
// (sigma_sqrt: σ⁻², cosmap: 2/(π(1 − 2σ + 2σ²))), loss = mean over coordinates. Gradients are written
// by hand (a real adapter would call loss.mean().backward()). Standalone: it does not import scorecheck.
//
// createFlowSubject(options) builds variants (path, prediction/target, weighting, sampler, …); the
// default export is SD3's defaults. `scorecheck check --subject examples/reference-flow.mjs`.

import { seededNormals } from './reference-subject.mjs';

/** SD3's time shift. */
export const shiftSigma = (shift, s) => (shift * s) / (1 + (shift - 1) * s);

export function createFlowSubject(options = {}) {
  const {
    name = 'reference flow matching (JS, diffusers SD3 style)',
    path = { kind: 'rectified' },
    prediction = 'velocity',
    target = 'x0', // precondition_outputs = True
    weighting = 'none',
    reduction = 'mean',
    batchReduction = 'mean',
    timeScale = 1000,
    sampler = { kind: 'logit_normal', loc: 0, scale: 1, shift: 3, num_train_timesteps: 1000, table: 'descending' },
    patch,
  } = options;

  // Coefficients of x_t = a x₀ + s ε + r ξ and of the velocity ȧ x₀ + ṡ ε + ṙ ξ (scheduler-style: per path).
  const coef = (t) => {
    if (path.kind === 'rectified') return { a: 1 - t, s: t, r: 0, da: -1, ds: 1, dr: 0, sigma: t };
    if (path.kind === 'ot') { const k = 1 - path.sigma_min; return { a: t, s: 1 - k * t, r: 0, da: 1, ds: -k, dr: 0, sigma: 1 - k * t }; }
    return { a: t, s: 1 - t, r: path.sigma, da: 1, ds: -1, dr: 0, sigma: 1 - t }; // icfm
  };
  const I = {
    coef,
    shift: shiftSigma,
    networkTime: (t) => timeScale * t,
    lossWeight(sigma) {
      if (weighting === 'sigma_sqrt') return sigma ** -2;
      if (weighting === 'cosmap') return 2 / (Math.PI * (1 - 2 * sigma + 2 * sigma * sigma));
      return 1;
    },
    logitLoc: (sp) => sp.loc,
    logitScale: (sp) => sp.scale,
    modeScale: (sp) => sp.scale,
    sampledSigma(sp, u) {
      // diffusers: indices = (u * N).long(); sigmas[indices] of the descending shifted table
      const N = sp.num_train_timesteps;
      if (!N) return I.shift(sp.shift ?? 1, u);
      const idx = Math.min(N - 1, Math.floor(u * N));
      const s = sp.table === 'ascending' ? (idx + 1) / N : (N - idx) / N;
      return I.shift(sp.shift ?? 1, s);
    },
    targetOf: (x0, e, xi, c) => (target === 'x0' ? x0 : target === 'eps' ? e : c.da * x0 + c.ds * e + c.dr * xi),
    /** loss.mean() or loss.sum() over the batch before backward(). */
    batchScale: (B) => (batchReduction === 'mean' ? 1 / B : 1),
    convert: null,
  };

  const forward = (model, x, tau) =>
    model.W.map((row, i) => row.reduce((acc, w, j) => acc + (w + (model.W_time ? tau * model.W_time[i][j] : 0)) * x[j], model.b[i] + (model.b_time ? tau * model.b_time[i] : 0)));

  /** The network output converted to the target kind: Q̂ = κF + ρx_t (precondition_outputs and its kin). */
  function convert(F, xt, c) {
    if (prediction === target) return { value: F, kappa: 1 };
    // Solve (x̂₀, ε̂) from x_t = a x̂₀ + s ε̂ and the output's own definition.
    const p = prediction === 'velocity' ? [c.da, c.ds] : prediction === 'x0' ? [1, 0] : [0, 1];
    const q = target === 'velocity' ? [c.da, c.ds] : target === 'x0' ? [1, 0] : [0, 1];
    const det = c.a * p[1] - c.s * p[0];
    const kappa = (c.a * q[1] - c.s * q[0]) / det, rho = (q[0] * p[1] - q[1] * p[0]) / det;
    return { value: F.map((f, i) => kappa * f + rho * xt[i]), kappa };
  }
  I.convert = convert;
  if (patch) patch(I);

  function perSample(model, x0, e, xi, t) {
    const c = I.coef(t);
    const xt = x0.map((v, i) => c.a * v + c.s * e[i] + (c.r ? c.r * xi[i] : 0));
    const tau = I.networkTime(t);
    const F = forward(model, xt, tau);
    const { value, kappa } = I.convert(F, xt, c);
    const w = I.lossWeight(c.sigma) / (reduction === 'mean' ? x0.length : 1);
    let loss = 0;
    const dF = value.map((q, i) => {
      const r = q - I.targetOf(x0[i], e[i], xi ? xi[i] : 0, c);
      loss += w * r * r;
      return 2 * w * kappa * r;
    });
    return { loss, dF, xt, tau };
  }

  const xiOf = (args, n) => (args.extra_noise ? args.extra_noise[n] : null);
  const hello = {
    protocol_version: 1,
    name,
    precision: 'float64',
    flow: { path: path.kind === 'rectified' ? 'rectified' : path },
    ops: {
      flow_interpolate: {},
      flow_loss: { prediction, target, weighting: { kind: weighting }, reduction, ...(timeScale !== null ? { network_time: { scale: timeScale } } : {}) },
      flow_loss_grad: { prediction, target, weighting: { kind: weighting }, reduction, batch_reduction: batchReduction, ...(timeScale !== null ? { network_time: { scale: timeScale } } : {}) },
      flow_timestep_sampler: sampler,
    },
  };

  return {
    hello,
    flow_interpolate(args) {
      return { xt: args.x0.map((x0, n) => { const c = I.coef(args.t[n]); const xi = xiOf(args, n); return x0.map((v, i) => c.a * v + c.s * args.noise[n][i] + (c.r ? c.r * xi[i] : 0)); }) };
    },
    flow_loss(args) {
      return { loss: args.x0.map((x0, n) => perSample(args.model, x0, args.noise[n], xiOf(args, n), args.t[n]).loss) };
    },
    flow_loss_grad(args) {
      const { model } = args, d = model.b.length, B = args.x0.length;
      const k = I.batchScale(B);
      const gW = model.W.map((r) => r.map(() => 0)), gb = model.b.map(() => 0);
      const gWt = model.W_time ? model.W.map((r) => r.map(() => 0)) : null, gbt = model.W_time ? model.b.map(() => 0) : null;
      const loss = args.x0.map((x0, n) => {
        const r = perSample(model, x0, args.noise[n], xiOf(args, n), args.t[n]);
        for (let i = 0; i < d; i++) {
          gb[i] += k * r.dF[i];
          for (let j = 0; j < d; j++) gW[i][j] += k * r.dF[i] * r.xt[j];
          if (gWt) {
            gbt[i] += k * r.tau * r.dF[i];
            for (let j = 0; j < d; j++) gWt[i][j] += k * r.tau * r.dF[i] * r.xt[j];
          }
        }
        return r.loss;
      });
      return { loss, grad: { W: gW, b: gb, ...(gWt ? { W_time: gWt, b_time: gbt } : {}) } };
    },
    flow_timestep_sampler({ n, seed }) {
      const rng = seededNormals(seed), sp = sampler;
      const draw = () => {
        if (sp.kind === 'logit_normal') return 1 / (1 + Math.exp(-(I.logitLoc(sp) + I.logitScale(sp) * rng.normal())));
        const u = rng.uniform();
        if (sp.kind === 'mode') return 1 - u - I.modeScale(sp) * (Math.cos((Math.PI * u) / 2) ** 2 - 1 + u);
        if (sp.kind === 'cosmap') return 1 - 1 / (Math.tan((Math.PI * u) / 2) + 1);
        return u;
      };
      return { t: Array.from({ length: n }, () => I.sampledSigma(sp, draw())) };
    },
  };
}

export default createFlowSubject();
