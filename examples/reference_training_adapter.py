#!/usr/bin/env python3
"""A correct scorecheck subject for the training ops (docs/protocol.md §7), Python + NumPy.

    scorecheck check --cmd "python3 examples/reference_training_adapter.py"

Written the way improved-diffusion's GaussianDiffusion is: float64 NumPy tables, p_mean_variance
through q_posterior_mean_variance of the predicted x_0, normal_kl, the 8-bit discretized decoder
(here with the exact normal CDF from math.erfc, declared "exact"), the hybrid loss with the mean
detached in the bound term (frozen_out), ScheduleSampler.sample's importance weights and the
LossSecondMomentResampler. Conventions chosen to differ from the JS reference: Ho et al.'s 1-based
timesteps (t_base = 1), an x0-predicting network, the linear schedule with improved-diffusion's
1000/T scaling, the bound in nats, a full-autograd DSM gradient for score distillation.

NumPy has no autograd: the gradients below are written out by hand. A real adapter calls the
user's training_losses(...).mean().backward() and returns the .grad of the supplied affine
module's weight and bias (convert with numpy.asarray / torch.tensor(dtype=float64), back with
.tolist()). Log to stderr: stdout carries protocol lines only.
"""
import math

import numpy as np

from scorecheck_protocol import serve  # the JSON-lines loop, next to this file

T_BASE = 1
T = 40
SCHEDULE = {"kind": "linear", "T": T, "beta_start": 1e-4, "beta_end": 0.02, "scale_with_T": True}
VLB_WEIGHT = T / 1000.0  # LossType.RESCALED_MSE
UNITS = "nats"
SAMPLER = {"kind": "loss_second_moment", "history_per_term": 10, "uniform_prob": 0.001}


def get_named_beta_schedule(spec):
    scale = 1000.0 / spec["T"] if spec.get("scale_with_T") else 1.0
    return np.linspace(scale * spec["beta_start"], scale * spec["beta_end"], spec["T"], dtype=np.float64)


class GaussianDiffusion:
    def __init__(self, betas):
        self.betas = np.asarray(betas, dtype=np.float64)
        self.num_timesteps = len(self.betas)
        alphas = 1.0 - self.betas
        self.alphas_cumprod = np.cumprod(alphas)
        self.alphas_cumprod_prev = np.append(1.0, self.alphas_cumprod[:-1])
        self.sqrt_alphas_cumprod = np.sqrt(self.alphas_cumprod)
        self.sqrt_one_minus_alphas_cumprod = np.sqrt(1.0 - self.alphas_cumprod)
        self.posterior_variance = self.betas * (1.0 - self.alphas_cumprod_prev) / (1.0 - self.alphas_cumprod)
        self.posterior_log_variance_clipped = np.log(np.append(self.posterior_variance[1], self.posterior_variance[1:]))
        self.posterior_mean_coef1 = self.betas * np.sqrt(self.alphas_cumprod_prev) / (1.0 - self.alphas_cumprod)
        self.posterior_mean_coef2 = (1.0 - self.alphas_cumprod_prev) * np.sqrt(alphas) / (1.0 - self.alphas_cumprod)


D = GaussianDiffusion(get_named_beta_schedule(SCHEDULE))
LN2 = math.log(2.0)


def normal_cdf(x):
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def normal_pdf(x):
    return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def normal_kl(mean1, logvar1, mean2, logvar2):
    return 0.5 * (-1.0 + logvar2 - logvar1 + np.exp(logvar1 - logvar2) + (mean1 - mean2) ** 2 * np.exp(-logvar2))


def discretized_gaussian_log_likelihood(x, mean, log_scale):
    """One coordinate: log p and its derivatives in the mean and in log_scale (tails for accuracy)."""
    inv = math.exp(-log_scale)
    plus_in, min_in = inv * (x - mean + 1 / 255), inv * (x - mean - 1 / 255)
    if x < -0.999:
        p, dp_dm, dp_dls = normal_cdf(plus_in), -normal_pdf(plus_in) * inv, -normal_pdf(plus_in) * plus_in
    elif x > 0.999:
        p, dp_dm, dp_dls = normal_cdf(-min_in), normal_pdf(min_in) * inv, normal_pdf(min_in) * min_in
    else:
        p = normal_cdf(-min_in) - normal_cdf(-plus_in) if x - mean > 0 else normal_cdf(plus_in) - normal_cdf(min_in)
        dp_dm = -(normal_pdf(plus_in) - normal_pdf(min_in)) * inv
        dp_dls = -(normal_pdf(plus_in) * plus_in - normal_pdf(min_in) * min_in)
    if p <= 1e-12:
        return math.log(1e-12), 0.0, 0.0
    return math.log(p), dp_dm / p, dp_dls / p


def index(t):
    return np.asarray(t, dtype=np.int64) - T_BASE


def p_mean_variance(out, x_t, k):
    """x0-predicting network with a learned-range variance head (improved-diffusion LEARNED_RANGE)."""
    d = x_t.shape[0]
    pred_xstart, var_values = out[:d], out[d:]
    min_log, max_log = D.posterior_log_variance_clipped[k], math.log(D.betas[k])
    frac = (var_values + 1) / 2
    log_variance = frac * max_log + (1 - frac) * min_log
    mean = D.posterior_mean_coef1[k] * pred_xstart + D.posterior_mean_coef2[k] * x_t
    return mean, log_variance, (max_log - min_log) / 2


def vb_term(out, x0, x_t, k):
    """_vb_terms_bpd in nats (summed), with d/d(mean) and d/d(variance value) per coordinate."""
    mean, log_variance, dlv_dv = p_mean_variance(out, x_t, k)
    if k == 0:
        terms, d_mean, d_lv = [], [], []
        for xi, mi, lvi in zip(x0, mean, log_variance):
            ll, dm, dls = discretized_gaussian_log_likelihood(xi, mi, 0.5 * lvi)
            terms.append(-ll)
            d_mean.append(-dm)
            d_lv.append(-0.5 * dls)
        return float(np.sum(terms)), np.array(d_mean), np.array(d_lv) * dlv_dv
    true_mean = D.posterior_mean_coef1[k] * x0 + D.posterior_mean_coef2[k] * x_t
    lv1 = D.posterior_log_variance_clipped[k]
    kl = normal_kl(true_mean, lv1, mean, log_variance)
    d_mean = -(true_mean - mean) * np.exp(-log_variance)
    d_lv = 0.5 * (1 - np.exp(lv1 - log_variance) - (true_mean - mean) ** 2 * np.exp(-log_variance))
    return float(np.sum(kl)), d_mean, d_lv * dlv_dv


def q_sample(x0, k, noise):
    return D.sqrt_alphas_cumprod[k] * x0 + D.sqrt_one_minus_alphas_cumprod[k] * noise


def op_schedule(args):
    return {"alpha_bar": D.alphas_cumprod.tolist(), "t_base": T_BASE}


def op_loss_grad(args):
    x0s, noises, ks = np.asarray(args["x0"], float), np.asarray(args["noise"], float), index(args["t"])
    W, b = np.asarray(args["model"]["W"], float), np.asarray(args["model"]["b"], float)
    B, d = x0s.shape
    gW, gb, losses = np.zeros_like(W), np.zeros_like(b), []
    for x0, noise, k in zip(x0s, noises, ks):
        x_t = q_sample(x0, k, noise)
        out = W @ x_t + b
        mse = np.mean((x0 - out[:d]) ** 2)  # target = x_start
        vb, _, d_v = vb_term(out, x0, x_t, k)  # frozen_out: the mean's derivative is discarded
        losses.append(float(mse + VLB_WEIGHT * vb))
        d_out = np.concatenate([2 * (out[:d] - x0) / d, VLB_WEIGHT * d_v])
        gW += np.outer(d_out, x_t) / B
        gb += d_out / B
    return {"loss": losses, "grad": {"W": gW.tolist(), "b": gb.tolist()}}


def op_vlb_terms(args):
    W, b = np.asarray(args["model"]["W"], float), np.asarray(args["model"]["b"], float)
    terms = [vb_term(W @ np.asarray(xt, float) + b, np.asarray(x0, float), np.asarray(xt, float), k)[0]
             for x0, xt, k in zip(args["x0"], args["xt"], index(args["t"]))]
    return {"terms": terms}


def op_vlb_prior(args):
    abT = D.alphas_cumprod[-1]
    x0 = np.asarray(args["x0"], float)
    kl = normal_kl(np.sqrt(abT) * x0, math.log(1.0 - abT), 0.0, 0.0)
    return {"prior": kl.sum(axis=1).tolist()}


def op_timestep_sampler(args):
    rng = np.random.default_rng(args["seed"])
    n = args["n"]
    H, u = SAMPLER["history_per_term"], SAMPLER["uniform_prob"]
    history = np.zeros((T, H))
    counts = np.zeros(T, dtype=np.int64)
    hist = args.get("history") or {"t": [], "loss": []}
    for t, loss in zip(index(hist["t"]), hist["loss"]):  # update_with_all_losses
        if counts[t] == H:
            history[t, :-1] = history[t, 1:]
            history[t, -1] = loss
        else:
            history[t, counts[t]] = loss
            counts[t] += 1
    if (counts == H).all():
        w = np.sqrt(np.mean(history ** 2, axis=-1))
        w /= np.sum(w)
        w *= 1 - u
        w += u / len(w)
    else:
        w = np.ones(T)
    p = w / np.sum(w)
    idx = rng.choice(T, size=(n,), p=p)
    weights = 1 / (len(p) * p[idx])
    return {"t": (idx + T_BASE).tolist(), "weights": weights.tolist(), "probabilities": p.tolist()}


def op_loss_input_grad(args):
    W, U, b = (np.asarray(args["model"][key], float) for key in ("W", "U", "b"))
    losses, grads = [], []
    for x0, noise, c, k in zip(np.asarray(args["x0"], float), np.asarray(args["noise"], float), np.asarray(args["c"], float), index(args["t"])):
        x_t = q_sample(x0, k, noise)
        r = W @ x_t + U @ c + b - x0
        losses.append(float(np.sum(r ** 2)))  # reduction "sum"
        grads.append((2 * U.T @ r).tolist())
    return {"loss": losses, "grad_c": grads}


def op_sds_grad(args):
    """Full autograd of the x0-parameterized DSM loss through the frozen network, wrt (mu, F)."""
    mu, F = np.asarray(args["mu"], float), np.asarray(args["F"], float)
    W, b = np.asarray(args["model"]["W"], float), np.asarray(args["model"]["b"], float)
    d = mu.shape[0]
    g_mu, g_F = [], []
    for xi, noise, k in zip(np.asarray(args["xi"], float), np.asarray(args["noise"], float), index(args["t"])):
        x0 = mu + F @ xi
        x_t = q_sample(x0, k, noise)
        r = W @ x_t + b - x0
        J = D.sqrt_alphas_cumprod[k] * W - np.eye(d)
        g = 2 * J.T @ r / d
        g_mu.append(g.tolist())
        g_F.append(np.outer(g, xi).tolist())
    return {"grad_mu": g_mu, "grad_F": g_F}


HELLO = {
    "protocol_version": 1,
    "name": "reference training (Python/NumPy, improved-diffusion style)",
    "parameterization": "x0",
    "precision": "float64",
    "ops": {
        "schedule": {"named": SCHEDULE},
        "loss_grad": {"weighting": {"kind": "unit"}, "reduction": "mean", "batch_reduction": "mean",
                      "variance": {"kind": "learned_range"},
                      "hybrid": {"vlb_weight": VLB_WEIGHT, "decoder": {"kind": "discretized_gaussian", "cdf": "exact"}, "units": UNITS}},
        "vlb_terms": {"variance": {"kind": "learned_range"}, "decoder": {"kind": "discretized_gaussian", "cdf": "exact"}, "units": UNITS},
        "vlb_prior": {"units": UNITS},
        "timestep_sampler": SAMPLER,
        "loss_input_grad": {"weighting": {"kind": "unit"}, "reduction": "sum"},
        "sds_grad": {"gradient": "full", "weighting": {"kind": "unit"}, "reduction": "mean"},
    },
}

OPS = {name[3:]: fn for name, fn in globals().items() if name.startswith("op_")}

if __name__ == "__main__":
    serve(HELLO, OPS)
