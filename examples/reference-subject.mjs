// A correct scorecheck subject written the way diffusion code usually is (diffusers-style:
// 0-based timesteps, alphas_cumprod table, the network's output in one parameterization).
// Standalone: it does not import scorecheck. `scorecheck check --subject examples/reference-subject.mjs`.
//
// createReferenceSubject(options) builds variants (parameterization, loss weighting, …);
// the default export is the ε-prediction DDPM with Min-SNR-5 weighting.

/** Seeded normals (mulberry32 + Box–Muller): a subject's own noise, replayable from `seed`. */
export function seededNormals(seed) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    uniform,
    normal() {
      let u = 0;
      while (u === 0) u = uniform();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
    },
  };
}

export function linearBetas(T, start = 1e-4, end = 0.02) {
  return Array.from({ length: T }, (_, i) => (T === 1 ? end : start + ((end - start) * i) / (T - 1)));
}

export function cumprod(betas) {
  let p = 1;
  return betas.map((b) => (p *= 1 - b));
}

const matvec = (W, x) => W.map((row) => row.reduce((s, w, j) => s + w * x[j], 0));
const transpose = (A) => A[0].map((_, j) => A.map((r) => r[j]));
const matmul = (A, B) => A.map((r) => B[0].map((_, j) => r.reduce((s, v, k) => s + v * B[k][j], 0)));

/** Solves A X = B (A n×n, B n×m) by Gaussian elimination with partial pivoting. */
export function solve(A, B) {
  const n = A.length;
  const M = A.map((r, i) => [...r, ...B[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r][c] / M[c][c];
      for (let k = c; k < M[r].length; k++) M[r][k] -= f * M[c][k];
    }
  }
  return M.map((r, i) => r.slice(n).map((v) => v / M[i][i]));
}

/** H† = Hᵀ(HHᵀ)⁻¹ for H with full row rank (the protocol guarantees it). */
export function pinvFullRowRank(H) {
  return transpose(solve(matmul(H, transpose(H)), H));
}

export function createReferenceSubject(options = {}) {
  const {
    name = 'reference (JS)',
    parameterization = 'eps',
    weighting = { kind: 'min_snr_over_snr', gamma: 5 },
    reduction = 'mean',
    stepVariance = 'beta_tilde',
    zeroShotVariant = 'bo_ddnm',
    T = 1000,
    tBase = 0,
  } = options;
  const betas = linearBetas(T);
  const alphasCumprod = cumprod(betas);
  const i = (k) => k - tBase; // array index of the subject's timestep k
  const ab = (k) => alphasCumprod[i(k)];
  const abPrev = (k) => (i(k) === 0 ? 1 : alphasCumprod[i(k) - 1]);
  const beta = (k) => betas[i(k)];

  /** The network's output → predicted ε, for x_t at timestep k. */
  function predEps(out, x, k) {
    const a = Math.sqrt(ab(k)), s = Math.sqrt(1 - ab(k));
    switch (parameterization) {
      case 'eps': return out;
      case 'x0': return out.map((o, j) => (x[j] - a * o) / s);
      case 'v': return out.map((o, j) => s * x[j] + a * o);
      case 'score': return out.map((o) => -s * o);
    }
  }

  /** Training target in the declared parameterization. */
  function target(x0, eps, k) {
    const a = Math.sqrt(ab(k)), s = Math.sqrt(1 - ab(k));
    switch (parameterization) {
      case 'eps': return eps;
      case 'x0': return x0;
      case 'v': return eps.map((e, j) => a * e - s * x0[j]);
      case 'score': return eps.map((e) => -e / s);
    }
  }

  function lossWeight(k) {
    const snr = ab(k) / (1 - ab(k));
    switch (weighting.kind) {
      case 'unit': return 1;
      case 'snr': return snr;
      case 'min_snr': return Math.min(snr, weighting.gamma);
      case 'min_snr_over_snr': return Math.min(snr, weighting.gamma) / snr;
      case 'min_snr_over_snr_plus_one': return Math.min(snr, weighting.gamma) / (snr + 1);
    }
  }

  const sigma = (k, kind) => Math.sqrt(kind === 'beta' ? beta(k) : ((1 - abPrev(k)) / (1 - ab(k))) * beta(k));
  const net = (model, x) => matvec(model.W, x).map((v, j) => v + model.b[j]);

  /** DDPM mean μ = (x_t − β_t/√(1−ᾱ_t) ε̂)/√α_t. */
  function ddpmMean(x, epsHat, k) {
    const c = beta(k) / Math.sqrt(1 - ab(k));
    return x.map((v, j) => (v - c * epsHat[j]) / Math.sqrt(1 - beta(k)));
  }

  const subject = {
    hello: {
      protocol_version: 1,
      name,
      parameterization,
      ops: {
        schedule: {},
        add_noise: {},
        q_sample: {},
        posterior: {},
        loss: { weighting, reduction },
        step: { variance: stepVariance },
        zero_shot_step: { variant: zeroShotVariant, variance: stepVariance },
      },
    },
    schedule: () => ({ alpha_bar: alphasCumprod, t_base: tBase }),
    add_noise({ x0, noise, t }) {
      return { xt: x0.map((row, n) => row.map((v, j) => Math.sqrt(ab(t[n])) * v + Math.sqrt(1 - ab(t[n])) * noise[n][j])) };
    },
    q_sample({ x0, t, seed }) {
      const rng = seededNormals(seed);
      return subject.add_noise({ x0, t, noise: x0.map((row) => row.map(() => rng.normal())) });
    },
    posterior({ x0, xt, t }) {
      const mean = x0.map((row, n) => {
        const k = t[n];
        const c0 = (Math.sqrt(abPrev(k)) * beta(k)) / (1 - ab(k));
        const ct = (Math.sqrt(1 - beta(k)) * (1 - abPrev(k))) / (1 - ab(k));
        return row.map((v, j) => c0 * v + ct * xt[n][j]);
      });
      return { mean, variance: t.map((k) => ((1 - abPrev(k)) / (1 - ab(k))) * beta(k)) };
    },
    loss({ x0, noise, t, model }) {
      const xt = subject.add_noise({ x0, noise, t }).xt;
      return {
        loss: xt.map((x, n) => {
          const out = net(model, x);
          const tg = target(x0[n], noise[n], t[n]);
          const se = out.reduce((s, o, j) => s + (o - tg[j]) ** 2, 0);
          return lossWeight(t[n]) * (reduction === 'mean' ? se / x.length : se);
        }),
      };
    },
    step({ xt, t, z, model }) {
      return {
        x_prev: xt.map((x, n) => {
          const mu = ddpmMean(x, predEps(net(model, x), x, t[n]), t[n]);
          return mu.map((m, j) => m + sigma(t[n], stepVariance) * z[n][j]);
        }),
      };
    },
    /**
     * DDNM (Wang et al. 2023): x̂0 = (x_t − √(1−ᾱ) ε̂)/√ᾱ, x̂0 ← x̂0 + H†(y − H x̂0), then the
     * posterior mean with that x̂0. BO-DDNM (Liang et al. 2025): the row-space correction
     * weighted by Σ = ᾱσ_y²H†H†ᵀ + (1−ᾱ)I, in the score form g = (I−H†H)ŝ + Σ⁻¹(√ᾱH†y − H†Hx).
     */
    zero_shot_step({ xt, t, z, model, H, y, sigma_y }) {
      const Hp = pinvFullRowRank(H);
      const P = matmul(Hp, H);
      return {
        x_prev: xt.map((x, n) => {
          const k = t[n];
          const a = Math.sqrt(ab(k)), s = Math.sqrt(1 - ab(k));
          const epsHat = predEps(net(model, x), x, k);
          const Hpy = matvec(Hp, y[n]);
          let mu;
          if (zeroShotVariant === 'ddnm') {
            const x0hat = x.map((v, j) => (v - s * epsHat[j]) / a);
            const r = matvec(H, x0hat).map((v, m) => y[n][m] - v);
            const x0c = x0hat.map((v, j) => v + matvec(Hp, r)[j]);
            const c0 = (Math.sqrt(abPrev(k)) * beta(k)) / (1 - ab(k));
            const ct = (Math.sqrt(1 - beta(k)) * (1 - abPrev(k))) / (1 - ab(k));
            mu = x0c.map((v, j) => c0 * v + ct * x[j]);
          } else {
            const score = epsHat.map((e) => -e / s);
            const Ps = matvec(P, score);
            const Sigma = matmul(Hp, transpose(Hp)).map((r, p) => r.map((v, q) => ab(k) * sigma_y * sigma_y * v + (p === q ? 1 - ab(k) : 0)));
            const rhs = Hpy.map((v, j) => a * v - matvec(P, x)[j]);
            const f = solve(Sigma, rhs.map((v) => [v])).map((r) => r[0]);
            const g = score.map((v, j) => v - Ps[j] + f[j]);
            mu = x.map((v, j) => (v + beta(k) * g[j]) / Math.sqrt(1 - beta(k)));
          }
          return mu.map((m, j) => m + sigma(k, stepVariance) * z[n][j]);
        }),
      };
    },
    // For the buggy catalogue: the pieces a realistic bug would touch.
    _internals: { betas, alphasCumprod, ab, abPrev, beta, sigma, net, predEps, target, lossWeight, ddpmMean, matvec, matmul, transpose },
  };
  return subject;
}

export default createReferenceSubject();
