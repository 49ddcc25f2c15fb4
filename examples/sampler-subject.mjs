// A correct scorecheck subject for whole sampling loops, protocol version 2, in plain JavaScript
// (docs/protocol.md §8). Standalone: it does not import scorecheck.
//
//   scorecheck check --subject examples/sampler-subject.mjs
//
// `SamplerSubject` holds every sampler family as methods built from small overridable pieces
// (the timestep list, the previous timestep, the final ᾱ, the network's time value, the
// no-noise mask, …) the way a scheduler library is built; examples/buggy/sampler-*.mjs each
// override one piece with a realistic bug. `new SamplerSubject(options)` builds variants.

/** Arrays on the wire: nested lists or {dtype, shape, data: base64 little-endian}. */
export function decodeArray(a) {
  if (a && typeof a === 'object' && !Array.isArray(a) && 'dtype' in a) {
    const buf = Buffer.from(a.data, 'base64');
    const n = a.shape.reduce((p, q) => p * q, 1);
    const data = new Float64Array(n);
    for (let i = 0; i < n; i++) data[i] = a.dtype === 'float64' ? buf.readDoubleLE(8 * i) : buf.readFloatLE(4 * i);
    return { data, shape: a.shape };
  }
  const shape = [];
  for (let p = a; Array.isArray(p); p = p[0]) shape.push(p.length);
  return { data: Float64Array.from(a.flat(Infinity)), shape };
}

export function encodeArray(data, shape, binary) {
  if (binary) {
    const buf = Buffer.alloc(8 * data.length);
    data.forEach((v, i) => buf.writeDoubleLE(v, 8 * i));
    return { dtype: 'float64', shape, data: buf.toString('base64') };
  }
  const build = (off, d) => {
    const stride = shape.slice(d + 1).reduce((p, q) => p * q, 1);
    return Array.from({ length: shape[d] }, (_, i) => (d === shape.length - 1 ? data[off + i] : build(off + i * stride, d + 1)));
  };
  return build(0, 0);
}

/** NumPy/Python rounding: half to even. */
export const roundHalfEven = (x) => {
  const f = Math.floor(x), r = x - f;
  return r > 0.5 ? f + 1 : r < 0.5 ? f : f % 2 === 0 ? f : f + 1;
};

// np.linspace: i·step + start with step = (stop − start)/(n − 1) — not (i·(stop − start))/(n − 1), which
// rounds differently and flips round-half-even at exact .5 points (999·13/26 = 499.5).
const linspace = (a, b, n) => {
  if (n === 1) return [a];
  const step = (b - a) / (n - 1);
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? b : i * step + a));
};

/** out = Σ c_k v_k over same-length arrays. */
export function lin(...pairs) {
  const out = new Float64Array(pairs[0][1].length);
  for (const [c, v] of pairs) for (let i = 0; i < out.length; i++) out[i] += c * v[i];
  return out;
}

/** The supplied network f(x, τ) on a batch x (Float64Array, [B, C, …] channel-major); records τ. */
export class Network {
  constructor(spec, shape) {
    this.spec = spec;
    this.C = shape[0];
    this.P = shape.slice(1).reduce((p, q) => p * q, 1);
    this.calls = [];
    const dec = (v) => (v === null || v === undefined ? null : decodeArray(v).data);
    if (spec.kind === 'affine_time') {
      this.W = [spec.W0, spec.W1].map((w) => ({ mix: dec(w.mix), diag: dec(w.diag) }));
      this.b = [dec(spec.b0), dec(spec.b1)];
      this.var = spec.variance ? [dec(spec.variance.v0), dec(spec.variance.v1)] : null;
    } else {
      this.tau = spec.tau;
      this.K = dec(spec.K);
      this.B = dec(spec.B);
      this.mu = dec(spec.mu);
      this.v = spec.v ?? null;
    }
  }

  mix(M, x, off, out, c) {
    const { C, P } = this;
    const n = x.length / (C * P);
    for (let b = 0; b < n; b++) for (let i = 0; i < C; i++) for (let j = 0; j < C; j++) {
      const w = c * M[off + i * C + j];
      for (let p = 0; p < P; p++) out[(b * C + i) * P + p] += w * x[(b * C + j) * P + p];
    }
  }

  call(x, tau) {
    this.calls.push(tau);
    const size = this.C * this.P;
    const out = new Float64Array(x.length);
    if (this.spec.kind === 'affine_time') {
      const g = Math.sin(this.spec.g.omega * tau + this.spec.g.phase);
      [1, g].forEach((c, k) => {
        this.mix(this.W[k].mix, x, 0, out, c);
        if (this.W[k].diag) for (let i = 0; i < x.length; i++) out[i] += c * this.W[k].diag[i % size] * x[i];
      });
      for (let i = 0; i < x.length; i++) out[i] += this.b[0][i % size] + g * this.b[1][i % size];
      const variance = this.var ? Float64Array.from(x, (_, i) => this.var[0][i % size] + g * this.var[1][i % size]) : null;
      return { out, variance };
    }
    let m = 0;
    this.tau.forEach((t, k) => { if (Math.abs(t - tau) < Math.abs(this.tau[m] - tau)) m = k; });
    if (Math.abs(this.tau[m] - tau) > 1e-6 * Math.max(1, Math.abs(tau))) throw new Error(`network called at tau=${tau}, not in the table (nearest ${this.tau[m]})`);
    this.mix(this.K, x, m * this.C * this.C, out, 1);
    const muB = Float64Array.from(x, (_, i) => this.mu[i % size]);
    this.mix(this.B, muB, m * this.C * this.C, out, 1);
    return { out, variance: this.v ? new Float64Array(x.length).fill(this.v[m]) : null };
  }
}

export function linearAlphasCumprod(T, start = 1e-4, end = 0.02) {
  let p = 1;
  return Array.from({ length: T }, (_, i) => (p *= 1 - (T === 1 ? end : start + ((end - start) * i) / (T - 1))));
}

/** Lin et al. (2024) Algorithm 1: rescale √ᾱ so the last entry is 0 (zero terminal SNR). */
export function rescaleZeroTerminalSnr(ac) {
  const s = ac.map(Math.sqrt);
  const s0 = s[0], sT = s[s.length - 1];
  return s.map((v) => ((v - sT) * s0) / (s0 - sT)).map((v) => v * v);
}

export const DEFAULT_SAMPLERS = {
  ddpm: { family: 'ddpm', variance: 'beta_tilde', spacing: 'trailing' },
  ddpm_respaced: { family: 'ddpm', variance: 'beta', spacing: 'respace' },
  ddpm_learned: { family: 'ddpm', variance: 'learned_range', spacing: 'linspace' },
  ddim: { family: 'ddim', eta: 0, spacing: 'leading', steps_offset: 1, final_alpha_cumprod: 'first' },
  ddim_linspace: { family: 'ddim', eta: 'request', spacing: 'linspace' },
  ddim_inversion: { family: 'ddim_inversion', spacing: 'trailing' },
  euler: { family: 'euler', sigmas: 'table', spacing: 'leading', steps_offset: 1, init_noise: 'sigma_max_sq_plus_one' },
  heun_karras: { family: 'heun', sigmas: 'karras' },
  dpmpp_2m: { family: 'dpmpp_2m', sigmas: 'table', spacing: 'linspace' },
  dpmpp_2m_karras: { family: 'dpmpp_2m', sigmas: 'karras', state: 've' },
  flow_euler: { family: 'flow_euler', shift: 3, parameterization: 'flow_velocity', network_time: { kind: 'flow', scale: 1000 } },
  flow_heun: { family: 'flow_heun', shift: 2, grid: 'uniform', parameterization: 'flow_velocity', network_time: { kind: 'flow', scale: 1 } },
};

export class SamplerSubject {
  constructor(options = {}) {
    const { name = 'sampler reference (JS)', T = 1000, tBase = 0, parameterization = 'eps', networkTime = 'index', arrays = 'nested', zeroTerminalSnr = false, samplers = DEFAULT_SAMPLERS } = options;
    this.name = name;
    this.T = T;
    this.tBase = tBase;
    this.parameterization = parameterization;
    this.networkTimeDecl = networkTime;
    this.binary = arrays === 'base64';
    this.ac = zeroTerminalSnr ? rescaleZeroTerminalSnr(linearAlphasCumprod(T)) : linearAlphasCumprod(T);
    this.samplers = samplers;
  }

  get hello() {
    return {
      protocol_version: 2,
      name: this.name,
      parameterization: this.parameterization,
      network_time: this.networkTimeDecl,
      arrays: this.binary ? 'base64' : 'nested',
      ops: { schedule: {}, sample: { samplers: this.samplers } },
    };
  }

  schedule() {
    return { alpha_bar: this.ac, t_base: this.tBase };
  }

  // ---------------------------------------------------------------- building blocks

  /** diffusers set_timesteps: descending 0-based list; variant 'ddim' | 'sigma' | 'multistep'. */
  spacedTimesteps(kind, n, offset, variant) {
    const T = this.T;
    const m = variant === 'multistep' && kind !== 'trailing' ? n + 1 : n;
    let ts;
    if (kind === 'linspace') ts = linspace(0, T - 1, m).map(variant === 'sigma' ? (x) => x : roundHalfEven).reverse();
    else if (kind === 'leading') ts = Array.from({ length: m }, (_, i) => (m - 1 - i) * Math.floor(T / m) + offset);
    else if (kind === 'trailing') {
      const r = T / n;
      ts = [];
      const len = Math.ceil(T / r), d = T - r - T;
      for (let i = 0; i < len; i++) ts.push(roundHalfEven(i === 0 ? T : i === 1 ? T - r : T + i * d) - 1);
    } else throw new Error(`spacing ${kind}`);
    return ts.slice(0, n);
  }

  /** improved-diffusion space_timesteps, descending. */
  respaced(sections) {
    const T = this.T, used = new Set();
    if (sections.startsWith('ddim')) {
      const want = Number(sections.slice(4));
      let stride = 1;
      while (stride < T && Math.ceil(T / stride) !== want) stride++;
      if (stride >= T) throw new Error(`cannot create exactly ${want} steps with an integer stride`);
      for (let j = 0; j < T; j += stride) used.add(j);
    } else {
      const counts = sections.split(',').map(Number);
      const per = Math.floor(T / counts.length), extra = T % counts.length;
      let start = 0;
      counts.forEach((c, i) => {
        const size = per + (i < extra ? 1 : 0);
        const stride = c <= 1 ? 1 : (size - 1) / (c - 1);
        let cur = 0;
        for (let k = 0; k < c; k++, cur += stride) used.add(start + roundHalfEven(cur));
        start += size;
      });
    }
    return [...used].sort((a, b) => b - a);
  }

  trainingTimesteps(decl, n, explicit) {
    const spacing = decl.spacing ?? 'leading';
    if (spacing === 'explicit') return explicit.map((k) => k - this.tBase);
    if (spacing === 'respace') return this.respaced(String(n));
    if (spacing === 'respace_ddim') return this.respaced(`ddim${n}`);
    return this.spacedTimesteps(spacing, n, decl.steps_offset ?? 0, 'ddim');
  }

  /** The training timestep the network is told for step i (respacing maps position i to ts[i]). */
  modelTimestep(ts, i) {
    return ts[i];
  }

  /** How many of the listed timesteps the loop visits. */
  loopLength(ts) {
    return ts.length;
  }

  /** The timestep after ts[i] in the loop (−1: the end). */
  previousIndex(ts, i) {
    return i + 1 < ts.length ? ts[i + 1] : -1;
  }

  alphaAt(j, final) {
    return j >= 0 ? this.ac[j] : final;
  }

  finalAlphaCumprod(decl) {
    return (decl.final_alpha_cumprod ?? 'one') === 'one' ? 1 : this.ac[0];
  }

  sigmaOf(a) {
    return a > 0 ? Math.sqrt((1 - a) / a) : Infinity;
  }

  /** The time value the network receives for 0-based training index j (noise level σ). */
  networkTime(j, sigma, decl) {
    let nt = decl.network_time ?? this.networkTimeDecl;
    if (typeof nt === 'object') {
      if (nt.kind === 'index') return (nt.scale ?? 1) * (j + this.tBase) + (nt.offset ?? 0);
      nt = nt.kind;
    }
    switch (nt) {
      case 'index': return j + this.tBase;
      case 'index_rescaled_1000': return ((j + this.tBase) * 1000) / this.T;
      case 'continuous': return (j + 1) / this.T;
      case 'sigma': return sigma;
      case 'c_noise': return 0.25 * Math.log(sigma);
      default: throw new Error(`network_time ${nt}`);
    }
  }

  param(decl) {
    return decl.parameterization ?? this.parameterization;
  }

  /** x̂₀ and ε̂ from the network output at ᾱ = a (VP state). */
  predictX0Eps(out, x, a, param) {
    const sa = Math.sqrt(a), ss = Math.sqrt(1 - a);
    switch (param) {
      case 'eps': return [lin([1 / sa, x], [-ss / sa, out]), out];
      case 'x0': return [out, lin([1 / ss, x], [-sa / ss, out])];
      case 'v': return [lin([sa, x], [-ss, out]), lin([sa, out], [ss, x])];
      case 'score': { const eps = lin([-ss, out]); return [lin([1 / sa, x], [-ss / sa, eps]), eps]; }
      default: throw new Error(`parameterization ${param} is not a VP output`);
    }
  }

  /** Whether step i of n (training index t) adds noise (the nonzero mask). */
  addsNoise(i, n) {
    return i < n - 1;
  }

  ddpmLogVariance(decl, beta, betaTilde, vHead) {
    if (decl.variance === 'beta') return new Float64Array(vHead?.length ?? 1).fill(Math.log(beta));
    if (decl.variance === 'beta_tilde') return new Float64Array(vHead?.length ?? 1).fill(Math.log(betaTilde));
    return vHead.map((v) => ((v + 1) / 2) * Math.log(beta) + (1 - (v + 1) / 2) * Math.log(betaTilde));
  }

  // ---------------------------------------------------------------- VP families

  ddpm(decl, x, n, net, noises, explicit) {
    const ts = this.trainingTimesteps(decl, n, explicit);
    const p = this.param(decl);
    ts.slice(0, this.loopLength(ts)).forEach((t, i) => {
      const a = this.ac[t], ap = this.alphaAt(this.previousIndex(ts, i), 1);
      const beta = 1 - a / ap, betaTilde = ((1 - ap) / (1 - a)) * beta;
      const m = this.modelTimestep(ts, i);
      const { out, variance } = net.call(x, this.networkTime(m, this.sigmaOf(this.ac[m]), decl));
      let [x0] = this.predictX0Eps(out, x, a, p);
      if (decl.clip) x0 = x0.map((v) => Math.min(decl.clip.range ?? 1, Math.max(-(decl.clip.range ?? 1), v)));
      const mean = lin([(Math.sqrt(ap) * beta) / (1 - a), x0], [(Math.sqrt(1 - beta) * (1 - ap)) / (1 - a), x]);
      if (!this.addsNoise(i, ts.length, t)) { x = mean; return; }
      const logVar = this.ddpmLogVariance(decl, beta, betaTilde, variance ?? x);
      const z = noises.slice(i * x.length, (i + 1) * x.length);
      x = mean.map((m, k) => m + Math.exp(0.5 * logVar[logVar.length === 1 ? 0 : k]) * z[k]);
    });
    return x;
  }

  ddimStd(eta, a, ap) {
    return eta * Math.sqrt((1 - ap) / (1 - a)) * Math.sqrt(1 - a / ap);
  }

  ddim(decl, x, n, net, noises, explicit, requestEta) {
    const ts = this.trainingTimesteps(decl, n, explicit);
    const eta = decl.eta === 'request' ? requestEta : (decl.eta ?? 0);
    const final = this.finalAlphaCumprod(decl);
    const p = this.param(decl);
    ts.slice(0, this.loopLength(ts)).forEach((t, i) => {
      const a = this.ac[t], ap = this.alphaAt(this.previousIndex(ts, i), final);
      const m = this.modelTimestep(ts, i);
      const { out } = net.call(x, this.networkTime(m, this.sigmaOf(this.ac[m]), decl));
      let [x0, eps] = this.predictX0Eps(out, x, a, p);
      if (decl.clip) {
        const r = decl.clip.range ?? 1;
        x0 = x0.map((v) => Math.min(r, Math.max(-r, v)));
        if (decl.clip.eps_from_clipped) eps = lin([1 / Math.sqrt(1 - a), x], [-Math.sqrt(a) / Math.sqrt(1 - a), x0]);
      }
      const std = this.ddimStd(eta, a, ap);
      x = lin([Math.sqrt(ap), x0], [Math.sqrt(Math.max(0, 1 - ap - std * std)), eps]);
      if (std > 0) x = lin([1, x], [std, noises.slice(i * x.length, (i + 1) * x.length)]);
    });
    return x;
  }

  /** ᾱ of the level x is at before inversion step i (ts ascending): the previous entry, or the initial ᾱ. */
  inversionSourceAlpha(ts, i, initial) {
    return i > 0 ? this.ac[ts[i - 1]] : initial;
  }

  ddimInversion(decl, x, n, net) {
    const ts = this.trainingTimesteps(decl, n).slice().reverse();
    const initial = (decl.initial_alpha_cumprod ?? 'one') === 'one' ? 1 : this.ac[0];
    const p = this.param(decl);
    ts.forEach((t, i) => {
      const aSrc = this.inversionSourceAlpha(ts, i, initial), aNext = this.ac[t];
      const { out } = net.call(x, this.networkTime(t, this.sigmaOf(aNext), decl));
      const [x0, eps] = this.predictX0Eps(out, x, aSrc, p);
      x = lin([Math.sqrt(aNext), x0], [Math.sqrt(1 - aNext), eps]);
    });
    return x;
  }

  // ---------------------------------------------------------------- σ-space families

  sigmaToT(sigma) {
    const ls = this.ac.map((a) => Math.log(this.sigmaOf(a)));
    const l = Math.log(Math.max(sigma, 1e-10));
    let low = 0;
    ls.forEach((v, j) => { if (v <= l) low = j; });
    low = Math.min(low, ls.length - 2);
    const w = Math.min(1, Math.max(0, (ls[low] - l) / (ls[low] - ls[low + 1])));
    return (1 - w) * low + w * (low + 1);
  }

  karrasSigmas(n, lo, hi, rho) {
    return linspace(0, 1, n).map((r) => (hi ** (1 / rho) + r * (lo ** (1 / rho) - hi ** (1 / rho))) ** rho);
  }

  /** σ levels (n + 1), the network's time per step, and the σ each time stands for. */
  sigmaGrid(decl, n, variant) {
    const table = this.ac.map((a) => this.sigmaOf(a));
    let sig, taus;
    if ((decl.sigmas ?? 'table') === 'karras') {
      sig = this.karrasSigmas(n, decl.sigma_min ?? table[0], decl.sigma_max ?? table[table.length - 1], decl.rho ?? 7);
      const round = (decl.tau_rounding ?? (decl.family === 'dpmpp_2m' ? 'round' : 'none')) === 'round';
      taus = sig.map((s) => {
        const t = this.sigmaToT(s);
        const j = round ? roundHalfEven(t) : t;
        return this.networkTime(j, round ? table[j] : s, decl);
      });
    } else {
      const ts = this.spacedTimesteps(decl.spacing ?? 'leading', n, decl.steps_offset ?? 0, variant);
      sig = ts.map((t) => {
        const lo = Math.floor(t);
        return lo === t ? table[lo] : table[lo] + (t - lo) * (table[lo + 1] - table[lo]);
      });
      taus = ts.map((t, i) => this.networkTime(t, sig[i], decl));
    }
    sig.push((decl.final_sigma ?? 'zero') === 'zero' ? 0 : table[0]);
    return { sig, taus };
  }

  /** D(x, σ) for the σ-space state x = x₀ + σε around the network (k-diffusion-style wrapper). */
  denoiser(decl, net) {
    const p = this.param(decl), sd = decl.sigma_data ?? 1;
    return (x, s, tau) => {
      if (p === 'edm') {
        const q = s * s + sd * sd;
        const { out } = net.call(lin([1 / Math.sqrt(q), x]), tau);
        return lin([(sd * sd) / q, x], [(s * sd) / Math.sqrt(q), out]);
      }
      const cin = 1 / Math.sqrt(s * s + 1);
      const { out } = net.call(lin([cin, x]), tau);
      switch (p) {
        case 'eps': return lin([1, x], [-s, out]);
        case 'x0': return out;
        case 'v': return lin([1 / (s * s + 1), x], [-s * cin, out]);
        case 'score': return lin([1, x], [s * s * cin, out]);
        default: throw new Error(`parameterization ${p}`);
      }
    };
  }

  /** Whether Heun takes its second-order correction on the step from σ_i to σ_{i+1}. */
  heunCorrects(sig, i) {
    return sig[i + 1] > 0;
  }

  /** The scale of the initial state x = init_noise_sigma · x_init. */
  initNoiseSigma(decl, sig) {
    return (decl.init_noise ?? 'sigma_max') === 'sigma_max' ? sig[0] : Math.sqrt(sig[0] ** 2 + 1);
  }

  eulerHeun(decl, x, n, net, heun) {
    const { sig, taus } = this.sigmaGrid(decl, n, 'sigma');
    const D = this.denoiser(decl, net);
    x = lin([this.initNoiseSigma(decl, sig), x]);
    for (let i = 0; i < n; i++) {
      const dt = sig[i + 1] - sig[i];
      const d = lin([1 / sig[i], x], [-1 / sig[i], D(x, sig[i], taus[i])]);
      const xe = lin([1, x], [dt, d]);
      if (!heun || !this.heunCorrects(sig, i)) { x = xe; continue; }
      const d2 = lin([1 / sig[i + 1], xe], [-1 / sig[i + 1], D(xe, sig[i + 1], taus[i + 1])]);
      x = lin([1, x], [dt / 2, d], [dt / 2, d2]);
    }
    return x;
  }

  /** DPM-Solver++(2M): first order on the first step, at σ_{i+1} = 0, and last when lower_order_final and n < 15. */
  dpmFirstOrder(decl, sig, i, n) {
    return i === 0 || sig[i + 1] === 0 || (i === n - 1 && (decl.lower_order_final ?? true) && n < 15);
  }

  /** r = h_{i−1}/h_i, the ratio of the previous λ-step to the current one. */
  dpmStepRatio(lam, i) {
    return (lam[i] - lam[i - 1]) / (lam[i + 1] - lam[i]);
  }

  dpmSolver2M(decl, x, n, net) {
    const { sig, taus } = this.sigmaGrid(decl, n, 'multistep');
    const D = this.denoiser(decl, net);
    const vp = (decl.state ?? 'vp') === 'vp';
    const lam = sig.map((s) => -Math.log(s));
    x = lin([vp ? Math.sqrt(sig[0] ** 2 + 1) : sig[0], x]);
    let prev = null;
    for (let i = 0; i < n; i++) {
      const den = D(x, sig[i], taus[i]);
      const h = lam[i + 1] - lam[i];
      const k = -Math.expm1(-h);
      if (this.dpmFirstOrder(decl, sig, i, n)) x = lin([sig[i + 1] / sig[i], x], [k, den]);
      else {
        const r = this.dpmStepRatio(lam, i);
        x = lin([sig[i + 1] / sig[i], x], [k * (1 + 1 / (2 * r)), den], [-k / (2 * r), prev]);
      }
      prev = den;
    }
    return vp ? lin([1 / Math.sqrt(sig[n] ** 2 + 1), x]) : x;
  }

  // ---------------------------------------------------------------- flow matching

  /** The shifted flow times (n + 1, ending at 0) and the times the network is told (the same ones). */
  flowSigmas(decl, n) {
    const T = decl.num_train_timesteps ?? 1000, shift = decl.shift ?? 1;
    const sh = (s) => (shift * s) / (1 + (shift - 1) * s);
    const base = (decl.grid ?? 'diffusers') === 'diffusers' ? linspace(sh(1) * T, sh(1 / T) * T, n).map((t) => t / T) : linspace(1, 0, n + 1).slice(0, n);
    const sig = [...base.map(sh), 0];
    return { sig, netT: sig };
  }

  flow(decl, x, n, net, heun) {
    const { sig, netT } = this.flowSigmas(decl, n);
    const nt = decl.network_time ?? (typeof this.networkTimeDecl === 'object' ? this.networkTimeDecl : { kind: 'flow', scale: decl.num_train_timesteps ?? 1000 });
    const tau = (t) => (nt.scale ?? 1) * t;
    for (let i = 0; i < n; i++) {
      const dt = sig[i + 1] - sig[i];
      const v = net.call(x, tau(netT[i])).out;
      const xe = lin([1, x], [dt, v]);
      if (!heun || sig[i + 1] === 0) { x = xe; continue; }
      x = lin([1, x], [dt / 2, v], [dt / 2, net.call(xe, tau(netT[i + 1])).out]);
    }
    return x;
  }

  // ---------------------------------------------------------------- the op

  sample(args) {
    const decl = this.samplers[args.sampler];
    if (!decl) throw new Error(`unknown sampler ${args.sampler}`);
    const { data: x0, shape } = decodeArray(args.x_init);
    const n = args.num_inference_steps;
    const net = new Network(args.network, shape.slice(1));
    const noises = args.noises ? decodeArray(args.noises).data : null;
    let x;
    switch (decl.family) {
      case 'ddpm': x = this.ddpm(decl, x0, n, net, noises, args.timesteps); break;
      case 'ddim': x = this.ddim(decl, x0, n, net, noises, args.timesteps, args.eta); break;
      case 'ddim_inversion': x = this.ddimInversion(decl, x0, n, net); break;
      case 'euler': case 'heun': x = this.eulerHeun(decl, x0, n, net, decl.family === 'heun'); break;
      case 'dpmpp_2m': x = this.dpmSolver2M(decl, x0, n, net); break;
      case 'flow_euler': case 'flow_heun': x = this.flow(decl, x0, n, net, decl.family === 'flow_heun'); break;
      default: throw new Error(`family ${decl.family}`);
    }
    return { x_final: encodeArray(x, shape, this.binary), tau: net.calls };
  }
}

export default new SamplerSubject();
