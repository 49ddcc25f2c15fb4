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
    // 'float32': every input cast and every arithmetic result rounded to float32 (Math.fround), as on a GPU.
    precision = 'float64',
    patch,
  } = options;
  const R = precision === 'float32' ? Math.fround : (x) => x;
  const cast = (a) => (Array.isArray(a) ? a.map(cast) : R(a));

  // Coefficients of x_t = a x₀ + s ε + r ξ and of the velocity ȧ x₀ + ṡ ε + ṙ ξ (scheduler-style: per path).
  const coef = (t) => {
    t = R(t);
    if (path.kind === 'rectified') return { a: R(1 - t), s: t, r: 0, da: -1, ds: 1, dr: 0, sigma: t };
    if (path.kind === 'ot') { const k = R(1 - path.sigma_min), s = R(1 - R(k * t)); return { a: t, s, r: 0, da: 1, ds: -k, dr: 0, sigma: s }; }
    const s = R(1 - t);
    return { a: t, s, r: R(path.sigma), da: 1, ds: -1, dr: 0, sigma: s }; // icfm
  };
  const I = {
    coef,
    shift: shiftSigma,
    networkTime: (t) => R(timeScale * R(t)),
    lossWeight(sigma) {
      if (weighting === 'sigma_sqrt') return R(1 / R(sigma * sigma));
      if (weighting === 'cosmap') return R(2 / R(R(Math.PI) * R(R(1 - R(2 * sigma)) + R(R(2 * sigma) * sigma))));
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
    targetOf: (x0, e, xi, c) => (target === 'x0' ? x0 : target === 'eps' ? e : R(R(R(c.da * x0) + R(c.ds * e)) + R(c.dr * xi))),
    /** loss.mean() or loss.sum() over the batch before backward(). */
    batchScale: (B) => (batchReduction === 'mean' ? 1 / B : 1),
    convert: null,
  };

  const forward = (model, x, tau) =>
    model.W.map((row, i) => row.reduce((acc, w, j) => R(acc + R(R(w + (model.W_time ? R(tau * model.W_time[i][j]) : 0)) * x[j])), R(model.b[i] + (model.b_time ? R(tau * model.b_time[i]) : 0))));

  /** The network output converted to the target kind: Q̂ = κF + ρx_t (precondition_outputs and its kin). */
  function convert(F, xt, c) {
    if (prediction === target) return { value: F, kappa: 1 };
    // Solve (x̂₀, ε̂) from x_t = a x̂₀ + s ε̂ and the output's own definition.
    const p = prediction === 'velocity' ? [c.da, c.ds] : prediction === 'x0' ? [1, 0] : [0, 1];
    const q = target === 'velocity' ? [c.da, c.ds] : target === 'x0' ? [1, 0] : [0, 1];
    const det = R(R(c.a * p[1]) - R(c.s * p[0]));
    const kappa = R(R(R(c.a * q[1]) - R(c.s * q[0])) / det), rho = R(R(R(q[0] * p[1]) - R(q[1] * p[0])) / det);
    return { value: F.map((f, i) => R(R(kappa * f) + R(rho * xt[i]))), kappa };
  }
  I.convert = convert;
  if (patch) patch(I);

  const interpolate = (c, x0, e, xi) => x0.map((v, i) => R(R(R(c.a * v) + R(c.s * e[i])) + (c.r ? R(c.r * xi[i]) : 0)));

  function perSample(model, x0, e, xi, t) {
    [model, x0, e, xi] = [{ W: cast(model.W), b: cast(model.b), ...(model.W_time ? { W_time: cast(model.W_time), b_time: cast(model.b_time) } : {}) }, cast(x0), cast(e), xi && cast(xi)];
    const c = I.coef(t);
    const xt = interpolate(c, x0, e, xi);
    const tau = I.networkTime(t);
    const F = forward(model, xt, tau);
    const { value, kappa } = I.convert(F, xt, c);
    const w = R(I.lossWeight(c.sigma) / (reduction === 'mean' ? x0.length : 1));
    let loss = 0;
    const dF = value.map((q, i) => {
      const r = R(q - I.targetOf(x0[i], e[i], xi ? xi[i] : 0, c));
      loss = R(loss + R(w * R(r * r)));
      return R(R(R(2 * w) * kappa) * r);
    });
    return { loss, dF, xt, tau };
  }

  const xiOf = (args, n) => (args.extra_noise ? args.extra_noise[n] : null);
  const hello = {
    protocol_version: 1,
    name,
    precision,
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
      return { xt: args.x0.map((x0, n) => { const xi = xiOf(args, n); return interpolate(I.coef(args.t[n]), cast(x0), cast(args.noise[n]), xi && cast(xi)); }) };
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
          const g = R(k * r.dF[i]);
          gb[i] = R(gb[i] + g);
          for (let j = 0; j < d; j++) gW[i][j] = R(gW[i][j] + R(g * r.xt[j]));
          if (gWt) {
            const gt = R(r.tau * g);
            gbt[i] = R(gbt[i] + gt);
            for (let j = 0; j < d; j++) gWt[i][j] = R(gWt[i][j] + R(gt * r.xt[j]));
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
      return { t: Array.from({ length: n }, () => R(I.sampledSigma(sp, draw()))) };
    },
  };
}

export default createFlowSubject();
