// A correct scorecheck subject for the training ops (docs/protocol.md §7), written the way
// improved-diffusion writes its GaussianDiffusion: precomputed float64 tables, p_mean_variance
// through the posterior of the predicted x_0, normal_kl, the 8-bit discretized decoder with the
// tanh approximation of Φ, the hybrid loss with the mean detached in the bound term, and its
// loss-second-moment timestep sampler. Gradients are written by hand (a real adapter would call
// loss.backward()). Standalone: it does not import scorecheck.
//
// createTrainingSubject(options) builds variants; the default export is ε-prediction with a
// learned-range variance, the hybrid loss (λ = T/1000 as RESCALED_MSE), on the cosine schedule.
// `scorecheck check --subject examples/reference-training.mjs`.

import { seededNormals } from './reference-subject.mjs';

export function namedBetas(spec) {
  const T = spec.T;
  const lin = (a, b, i) => (T === 1 ? a : a + ((b - a) * i) / (T - 1));
  if (spec.kind === 'linear') { const k = spec.scale_with_T ? 1000 / T : 1; return Array.from({ length: T }, (_, i) => lin(spec.beta_start * k, spec.beta_end * k, i)); }
  if (spec.kind === 'scaled_linear') return Array.from({ length: T }, (_, i) => lin(Math.sqrt(spec.beta_start), Math.sqrt(spec.beta_end), i) ** 2);
  if (spec.kind === 'cosine') {
    const s = spec.s ?? 0.008, maxBeta = spec.max_beta ?? 0.999;
    const abar = (x) => Math.cos(((x + s) / (1 + s)) * (Math.PI / 2)) ** 2;
    return Array.from({ length: T }, (_, i) => Math.min(1 - abar((i + 1) / T) / abar(i / T), maxBeta));
  }
  throw new Error(`namedBetas: unsupported schedule ${spec.kind}`);
}

const approxCdf = (x) => 0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
const approxPdf = (x) => { const th = Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)); return 0.5 * (1 - th * th) * Math.sqrt(2 / Math.PI) * (1 + 3 * 0.044715 * x * x); };

/** improved-diffusion's discretized_gaussian_log_likelihood for one coordinate, and d/d(mean), d/d(log_scale). */
export function discretizedLogLikelihood(x, mean, logScale) {
  const inv = Math.exp(-logScale);
  const plusIn = inv * (x - mean + 1 / 255), minIn = inv * (x - mean - 1 / 255);
  let p, dMean, dLs;
  if (x < -0.999) { p = approxCdf(plusIn); dMean = -approxPdf(plusIn) * inv; dLs = -approxPdf(plusIn) * plusIn; }
  else if (x > 0.999) { p = approxCdf(-minIn); dMean = approxPdf(minIn) * inv; dLs = approxPdf(minIn) * minIn; }
  else if (x - mean > 0) { p = approxCdf(-minIn) - approxCdf(-plusIn); dMean = -(approxPdf(plusIn) - approxPdf(minIn)) * inv; dLs = -(approxPdf(plusIn) * plusIn - approxPdf(minIn) * minIn); }
  else { p = approxCdf(plusIn) - approxCdf(minIn); dMean = -(approxPdf(plusIn) - approxPdf(minIn)) * inv; dLs = -(approxPdf(plusIn) * plusIn - approxPdf(minIn) * minIn); }
  if (p <= 1e-12) return { ll: Math.log(1e-12), dMean: 0, dLs: 0 };
  return { ll: Math.log(p), dMean: dMean / p, dLs: dLs / p };
}

export function createTrainingSubject(options = {}) {
  const {
    name = 'reference training (JS, improved-diffusion style)',
    parameterization = 'eps',
    schedule = { kind: 'cosine', T: 50 },
    variance = { kind: 'learned_range' },
    vlbWeight = schedule.T / 1000,
    hybrid = true,
    sampler = { kind: 'loss_second_moment', history_per_term: 10, uniform_prob: 0.001 },
    sds = { gradient: 'sds', weighting: { kind: 'one_minus_alpha_bar' } },
    betas: givenBetas,
    patch,
  } = options;
  const betas = givenBetas ?? namedBetas(schedule);
  const T = betas.length;
  const alphas = betas.map((b) => 1 - b);
  const ac = [];
  alphas.reduce((p, a) => { const v = p * a; ac.push(v); return v; }, 1);
  const acPrev = [1, ...ac.slice(0, -1)];
  const postVar = betas.map((b, t) => (b * (1 - acPrev[t])) / (1 - ac[t]));
  const postLogVarClipped = postVar.map((v, t) => Math.log(t === 0 ? postVar[1] ?? betas[0] : v));
  const coef1 = betas.map((b, t) => (b * Math.sqrt(acPrev[t])) / (1 - ac[t]));
  const coef2 = betas.map((b, t) => ((1 - acPrev[t]) * Math.sqrt(alphas[t])) / (1 - ac[t]));
  const learned = variance.kind === 'learned_range' || variance.kind === 'learned';

  const net = (model, x) => model.W.map((row, i) => row.reduce((s, w, j) => s + w * x[j], model.b[i]));
  const meanFlat = (xs) => xs.reduce((s, v) => s + v, 0) / xs.length;
  const a = (t) => Math.sqrt(ac[t]), s = (t) => Math.sqrt(1 - ac[t]);
  /** x̂_0 from the mean output, and ∂x̂_0/∂f (scalar). */
  function predXstart(f, x, t) {
    switch (parameterization) {
      case 'eps': return { x0: (x - s(t) * f) / a(t), d: -s(t) / a(t) };
      case 'x0': return { x0: f, d: 1 };
      case 'v': return { x0: a(t) * x - s(t) * f, d: -s(t) };
      case 'score': return { x0: (x + (1 - ac[t]) * f) / a(t), d: (1 - ac[t]) / a(t) };
    }
  }
  function target(x0, e, t) {
    return parameterization === 'eps' ? e : parameterization === 'x0' ? x0 : parameterization === 'v' ? a(t) * e - s(t) * x0 : -e / s(t);
  }
  /** Model log-variance for coordinate value v of the variance head, and d/dv. */
  function modelLogVar(v, t) {
    if (variance.kind === 'learned') return { lv: v, d: 1 };
    if (variance.kind === 'learned_range') {
      const minLog = postLogVarClipped[t], maxLog = Math.log(betas[t]);
      const frac = (v + 1) / 2;
      return { lv: frac * maxLog + (1 - frac) * minLog, d: (maxLog - minLog) / 2 };
    }
    if (variance.kind === 'fixed_small') return { lv: postLogVarClipped[t], d: 0 };
    return { lv: Math.log(t === 0 ? postVar[1] : betas[t]), d: 0 };
  }
  /** _vb_terms_bpd for one sample (bits per dim) with derivatives per coordinate in μ and in v. */
  function vbTerm(out, x0, xt, t) {
    const d = x0.length;
    let total = 0;
    const dMu = [], dV = [];
    for (let i = 0; i < d; i++) {
      const px = I.predXstart(out[i], xt[i], t);
      const mu = coef1[t] * px.x0 + coef2[t] * xt[i];
      const { lv, d: dlv } = I.modelLogVar(learned ? out[d + i] : 0, t);
      let term, gMu, gLv;
      if (I.isDecoderStep(t)) {
        const r = discretizedLogLikelihood(x0[i], mu, 0.5 * lv);
        term = -r.ll; gMu = -r.dMean; gLv = -0.5 * r.dLs;
      } else {
        const tm = coef1[t] * x0[i] + coef2[t] * xt[i], lv1 = postLogVarClipped[t];
        term = 0.5 * (-1 + lv - lv1 + Math.exp(lv1 - lv) + (tm - mu) ** 2 * Math.exp(-lv));
        gMu = -(tm - mu) * Math.exp(-lv); gLv = 0.5 * (1 - Math.exp(lv1 - lv) - (tm - mu) ** 2 * Math.exp(-lv));
      }
      total += term;
      const u = 1 / (d * Math.LN2);
      dMu.push(gMu * u * coef1[t] * px.d);
      dV.push(gLv * u * dlv);
    }
    return { bpd: total / (d * Math.LN2), dMu, dV };
  }

  // Every helper the ops use goes through I, so a buggy variant can replace one of them (options.patch).
  const I = { betas, ac, acPrev, coef1, coef2, postVar, postLogVarClipped, net, predXstart, target, modelLogVar, vbTerm, a, s, meanFlat, T, isDecoderStep: (t) => t === 0, logitMean: (sp) => sp.mean, stopGradient: true, priorStep: T - 1, samplerWeight: (q) => Math.sqrt(q.reduce((acc, v) => acc + v * v, 0) / q.length), importanceWeight: (p, k) => 1 / (T * p[k]), sdsWeight: (k) => 1 - ac[k] };
  patch?.(I);

  const subject = {
    hello: {
      protocol_version: 1,
      name,
      parameterization,
      ops: {
        schedule: { named: schedule },
        loss_grad: { weighting: { kind: 'unit' }, reduction: 'mean', batch_reduction: 'mean', variance, ...(hybrid ? { hybrid: { vlb_weight: vlbWeight, decoder: { kind: 'discretized_gaussian', cdf: 'tanh_approx' }, units: 'bits_per_dim' } } : {}) },
        vlb_terms: { variance, decoder: { kind: 'discretized_gaussian', cdf: 'tanh_approx' }, units: 'bits_per_dim' },
        vlb_prior: { units: 'bits_per_dim' },
        timestep_sampler: sampler,
        loss_input_grad: { weighting: { kind: 'unit' }, reduction: 'mean' },
        sds_grad: { gradient: sds.gradient, weighting: sds.weighting, reduction: 'mean' },
      },
    },
    schedule: () => ({ alpha_bar: ac, t_base: 0 }),
    loss_grad({ x0, noise, t, model }) {
      const B = x0.length, d = x0[0].length, rows = model.W.length;
      const gW = model.W.map((r) => r.map(() => 0)), gb = model.b.map(() => 0);
      const loss = x0.map((row, n) => {
        const k = t[n];
        const xt = row.map((v, j) => a(k) * v + s(k) * noise[n][j]);
        const out = net(model, xt);
        const mse = meanFlat(out.slice(0, d).map((f, i) => (target(row[i], noise[n][i], k) - f) ** 2));
        const dOut = new Array(rows).fill(0);
        for (let i = 0; i < d; i++) dOut[i] = (2 * (out[i] - target(row[i], noise[n][i], k))) / d;
        let vb = 0;
        if (hybrid) {
          const r = I.vbTerm(out, row, xt, k); // the mean enters detached: only r.dV flows back
          vb = vlbWeight * r.bpd;
          for (let i = 0; i < d; i++) {
            dOut[d + i] = vlbWeight * r.dV[i];
            if (!I.stopGradient) dOut[i] += vlbWeight * r.dMu[i];
          }
        }
        for (let i = 0; i < rows; i++) { gb[i] += dOut[i] / B; for (let j = 0; j < d; j++) gW[i][j] += (dOut[i] * xt[j]) / B; }
        return mse + vb;
      });
      return { loss, grad: { W: gW, b: gb } };
    },
    vlb_terms({ x0, xt, t, model }) {
      return { terms: x0.map((row, n) => I.vbTerm(net(model, xt[n]), row, xt[n], t[n]).bpd) };
    },
    vlb_prior({ x0 }) {
      const abT = ac[I.priorStep];
      return { prior: x0.map((row) => meanFlat(row.map((v) => 0.5 * (-1 - Math.log(1 - abT) + (1 - abT) + abT * v * v))) / Math.LN2) };
    },
    timestep_sampler({ n, seed, history }) {
      const rng = seededNormals(seed);
      if (sampler.kind === 'logit_normal') return { t: Array.from({ length: n }, () => 1 / (1 + Math.exp(-(I.logitMean(sampler) + sampler.std * rng.normal())))) };
      if (sampler.kind === 'edm_lognormal') return { t: Array.from({ length: n }, () => Math.exp(sampler.p_mean + sampler.p_std * rng.normal())) };
      let p = new Array(T).fill(1 / T);
      if (sampler.kind === 'loss_second_moment') {
        const H = sampler.history_per_term ?? 10, u = sampler.uniform_prob ?? 0.001;
        const queues = Array.from({ length: T }, () => []);
        (history?.t ?? []).forEach((k, i) => { queues[k].push(history.loss[i]); if (queues[k].length > H) queues[k].shift(); });
        if (queues.every((q) => q.length === H)) {
          const w = queues.map((q) => I.samplerWeight(q));
          const total = w.reduce((acc, v) => acc + v, 0);
          p = w.map((v) => (v / total) * (1 - u) + u / T);
        }
      }
      const ts = Array.from({ length: n }, () => { let r = rng.uniform(), k = 0; while (k < T - 1 && r >= p[k]) { r -= p[k]; k++; } return k; });
      return { t: ts, weights: ts.map((k) => I.importanceWeight(p, k)), probabilities: p };
    },
    loss_input_grad({ x0, noise, t, c, model }) {
      const d = x0[0].length, kc = c[0].length;
      const out = x0.map((row, n) => {
        const k = t[n];
        const xt = row.map((v, j) => a(k) * v + s(k) * noise[n][j]);
        const f = model.W.map((r, i) => r.reduce((acc, w, j) => acc + w * xt[j], model.b[i]) + model.U[i].reduce((acc, u, j) => acc + u * c[n][j], 0));
        const res = f.map((v, i) => v - target(row[i], noise[n][i], k));
        return { loss: meanFlat(res.map((r) => r * r)), g: Array.from({ length: kc }, (_, j) => res.reduce((acc, r, i) => acc + (2 * model.U[i][j] * r) / d, 0)) };
      });
      return { loss: out.map((o) => o.loss), grad_c: out.map((o) => o.g) };
    },
    sds_grad({ mu, F, t, xi, noise, model }) {
      const d = mu.length;
      const res = xi.map((z, n) => {
        const k = t[n];
        const x0 = mu.map((m, i) => m + F[i].reduce((acc, v, j) => acc + v * z[j], 0));
        const xt = x0.map((v, i) => a(k) * v + s(k) * noise[n][i]);
        const f = net(model, xt);
        let gx;
        if (sds.gradient === 'sds') {
          // DreamFusion: w(t)(ε̂ − ε) with ε̂ read from the network output; w = 1 − ᾱ_t.
          const w = sds.weighting.kind === 'one_minus_alpha_bar' ? I.sdsWeight(k) : 1;
          const epsHat = f.map((v, i) => { const px = predXstart(v, xt[i], k); return (xt[i] - a(k) * px.x0) / s(k); });
          gx = epsHat.map((e, i) => w * (e - noise[n][i]));
        } else {
          const r = f.map((v, i) => v - target(x0[i], noise[n][i], k));
          const tx = parameterization === 'x0' ? 1 : parameterization === 'v' ? -s(k) : 0;
          gx = Array.from({ length: d }, (_, j) => r.reduce((acc, ri, i) => acc + (2 / d) * ri * (a(k) * model.W[i][j] - (i === j ? tx : 0)), 0));
        }
        return { mu: gx, F: gx.map((g) => z.map((zj) => g * zj)) };
      });
      return { grad_mu: res.map((r) => r.mu), grad_F: res.map((r) => r.F) };
    },
    _internals: I,
  };
  return subject;
}

export default createTrainingSubject();
