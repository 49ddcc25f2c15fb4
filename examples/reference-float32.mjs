// A correct DDPM subject that computes the way diffusers does on a GPU: float32 betas
// (torch.linspace(..., dtype=float32)), float32 cumulative products, float32 coefficients and
// float32 tensors — every arithmetic result rounded to float32 (Math.fround). Standalone.
//
// createFloat32Subject(options) builds variants:
//   tensors: 'float32' (default) | 'float64'  — precision of x0, noise, x_t and their arithmetic;
//     'float64' with float32 coefficients is improved-diffusion's `_extract_into_tensor(...).float()`
//     applied to float64 tensors;
//   declare: what hello says ({precision, coefficient_precision}); default the truth;
//   schedule: the named schedule it builds and declares (linear, scaled_linear, cosine).
// `scorecheck check --subject examples/reference-float32.mjs`.

const f32 = Math.fround;
const id = (x) => x;

/** β table in float32, built the way diffusers builds each named schedule. */
export function float32Betas(spec) {
  const T = spec.T;
  const lin = (a, b, i) => (T === 1 ? f32(a) : f32(f32(a) + f32(i * f32(f32(f32(b) - f32(a)) / (T - 1)))));
  switch (spec.kind) {
    case 'linear':
      return Array.from({ length: T }, (_, i) => lin(spec.beta_start, spec.beta_end, i));
    case 'scaled_linear': {
      const r0 = f32(Math.sqrt(spec.beta_start)), r1 = f32(Math.sqrt(spec.beta_end));
      return Array.from({ length: T }, (_, i) => { const r = lin(r0, r1, i); return f32(r * r); });
    }
    case 'cosine': {
      // betas_for_alpha_bar: Python floats (float64), then torch.tensor(betas, dtype=torch.float32).
      const s = spec.s ?? 0.008, maxBeta = spec.max_beta ?? 0.999;
      const abar = (x) => Math.cos(((x + s) / (1 + s)) * (Math.PI / 2)) ** 2;
      return Array.from({ length: T }, (_, i) => f32(Math.min(1 - abar((i + 1) / T) / abar(i / T), maxBeta)));
    }
    default:
      throw new Error(`float32Betas: unsupported schedule kind ${spec.kind}`);
  }
}

export function createFloat32Subject(options = {}) {
  const {
    name = 'reference float32 (diffusers-style)',
    tensors = 'float32',
    schedule = { kind: 'linear', T: 1000, beta_start: 1e-4, beta_end: 0.02 },
    weighting = { kind: 'min_snr_over_snr', gamma: 5 },
    declare = { precision: tensors, coefficient_precision: 'float32' },
  } = options;
  const r = tensors === 'float32' ? f32 : id; // tensor arithmetic
  const betas = float32Betas(schedule);
  const alphas = betas.map((b) => f32(1 - b));
  const alphasCumprod = [];
  alphas.reduce((p, a) => { const v = f32(p * a); alphasCumprod.push(v); return v; }, 1);
  const ab = (k) => alphasCumprod[k];
  const abPrev = (k) => (k === 0 ? 1 : alphasCumprod[k - 1]);
  const sqrt = (x) => f32(Math.sqrt(x));

  const net = (model, x) => model.W.map((row, i) => row.reduce((s, w, j) => r(s + r(r(w) * x[j])), r(model.b[i])));
  const vec = (xs) => xs.map(r);

  function lossWeight(k) {
    const snr = f32(ab(k) / f32(1 - ab(k)));
    if (weighting.kind === 'unit') return 1;
    if (weighting.kind === 'min_snr_over_snr') return f32(Math.min(snr, weighting.gamma) / snr);
    throw new Error(`unsupported weighting ${weighting.kind}`);
  }

  const subject = {
    hello: {
      protocol_version: 1,
      name,
      parameterization: 'eps',
      ...declare,
      ops: {
        schedule: { named: schedule },
        add_noise: {},
        posterior: {},
        loss: { weighting, reduction: 'mean' },
        step: { variance: 'beta_tilde' },
      },
    },
    schedule: () => ({ alpha_bar: alphasCumprod, t_base: 0 }),
    add_noise({ x0, noise, t }) {
      return {
        xt: x0.map((row, n) => {
          const a = sqrt(ab(t[n])), s = sqrt(f32(1 - ab(t[n])));
          return row.map((v, j) => r(r(a * r(v)) + r(s * r(noise[n][j]))));
        }),
      };
    },
    posterior({ x0, xt, t }) {
      const mean = [], variance = [];
      x0.forEach((row, n) => {
        const k = t[n];
        const c0 = f32(f32(sqrt(abPrev(k)) * betas[k]) / f32(1 - ab(k)));
        const ct = f32(f32(sqrt(alphas[k]) * f32(1 - abPrev(k))) / f32(1 - ab(k)));
        mean.push(row.map((v, j) => r(r(c0 * r(v)) + r(ct * r(xt[n][j])))));
        variance.push(f32(f32(f32(1 - abPrev(k)) / f32(1 - ab(k))) * betas[k]));
      });
      return { mean, variance };
    },
    loss({ x0, noise, t, model }) {
      const { xt } = subject.add_noise({ x0, noise, t });
      return {
        loss: xt.map((x, n) => {
          const e = net(model, x);
          const mse = r(e.reduce((s, v, j) => r(s + r(r(v - r(noise[n][j])) ** 2)), 0) / e.length);
          return r(lossWeight(t[n]) * mse);
        }),
      };
    },
    step({ xt, t, z, model }) {
      // DDPMScheduler.step, epsilon prediction, fixed_small variance, with the supplied noise.
      return {
        x_prev: xt.map((row, n) => {
          const k = t[n], x = vec(row);
          const eps = net(model, x);
          const a = sqrt(ab(k)), s = sqrt(f32(1 - ab(k)));
          const x0 = x.map((v, j) => r(r(v - r(s * eps[j])) / a));
          const c0 = f32(f32(sqrt(abPrev(k)) * betas[k]) / f32(1 - ab(k)));
          const ct = f32(f32(sqrt(alphas[k]) * f32(1 - abPrev(k))) / f32(1 - ab(k)));
          const std = sqrt(f32(f32(f32(1 - abPrev(k)) / f32(1 - ab(k))) * betas[k]));
          return x.map((v, j) => r(r(r(c0 * x0[j]) + r(ct * v)) + r(std * r(z[n][j]))));
        }),
      };
    },
  };
  return subject;
}

export default createFloat32Subject();
