#!/usr/bin/env python3
"""A correct scorecheck subject for the flow-matching training ops (docs/protocol.md §9), Python + NumPy.

    scorecheck check --cmd "python3 examples/reference_flow_adapter.py"

Written the way facebookresearch/flow_matching's CondOTProbPath and torchcfm train: the data x1 at
t = 1, x_t = t·x1 + (1 − (1 − sigma_min)·t)·x0 with the noise x0 ~ N(0, I) (Lipman et al.'s OT path),
the velocity target dx_t = x1 − (1 − sigma_min)·x0, the network called with the continuous t
(no ×1000), an unweighted MSE averaged over coordinates and over the batch. Training times follow the
SD3 paper's mode sampling, t = 1 − u − s·(cos²(πu/2) − 1 + u), u ~ U(0, 1), drawn with NumPy's
Generator. Conventions chosen to differ from the JS reference: another path (data at t = 1,
sigma_min), velocity prediction and target, a time-aware network fed t, a continuous time law.

NumPy has no autograd: the gradient below is written out by hand. A real adapter calls
loss.mean().backward() on the user's training step with the supplied affine module and returns its
.grad. Log to stderr: stdout carries protocol lines only.
"""
import numpy as np

from scorecheck_protocol import serve  # the JSON-lines loop, next to this file

SIGMA_MIN = 1e-4
MODE_SCALE = 1.29
HELLO = {
    "protocol_version": 1,
    "name": "reference flow matching (Python/NumPy, flow_matching CondOT style)",
    "precision": "float64",
    "flow": {"path": {"kind": "ot", "sigma_min": SIGMA_MIN}},
    "ops": {
        "flow_interpolate": {},
        "flow_loss": {"prediction": "velocity", "target": "velocity", "weighting": {"kind": "none"}, "reduction": "mean", "network_time": {"scale": 1}},
        "flow_loss_grad": {"prediction": "velocity", "target": "velocity", "weighting": {"kind": "none"}, "reduction": "mean", "batch_reduction": "mean", "network_time": {"scale": 1}},
        "flow_timestep_sampler": {"kind": "mode", "scale": MODE_SCALE},
    },
}


class CondOTProbPath:
    """x_t = alpha_t x1 + sigma_t x0, alpha_t = t, sigma_t = 1 − (1 − sigma_min) t; dx_t = x1 − (1 − sigma_min) x0."""

    def __init__(self, sigma_min):
        self.sigma_min = sigma_min

    def sample(self, x1, x0, t):
        t = t[:, None]
        x_t = t * x1 + (1.0 - (1.0 - self.sigma_min) * t) * x0
        dx_t = x1 - (1.0 - self.sigma_min) * x0
        return x_t, dx_t


PATH = CondOTProbPath(SIGMA_MIN)


def affine(model, x, t):
    """The supplied network: (W + t W_time) x + b + t b_time (t the network time, here the path's t)."""
    W, b = np.asarray(model["W"], dtype=np.float64), np.asarray(model["b"], dtype=np.float64)
    out = x @ W.T + b
    if "W_time" in model:
        Wt, bt = np.asarray(model["W_time"], dtype=np.float64), np.asarray(model["b_time"], dtype=np.float64)
        out = out + t[:, None] * (x @ Wt.T + bt)
    return out


def batch(args):
    # scorecheck's x0 is the data (the flow_matching library's x1); its noise is the library's x0.
    x1 = np.asarray(args["x0"], dtype=np.float64)
    x0 = np.asarray(args["noise"], dtype=np.float64)
    t = np.asarray(args["t"], dtype=np.float64)
    return x1, x0, t


def op_flow_interpolate(args):
    x1, x0, t = batch(args)
    x_t, _ = PATH.sample(x1, x0, t)
    return {"xt": x_t.tolist()}


def losses(args):
    x1, x0, t = batch(args)
    x_t, dx_t = PATH.sample(x1, x0, t)
    residual = affine(args["model"], x_t, t) - dx_t
    return np.mean(residual ** 2, axis=-1), residual, x_t, t


def op_flow_loss(args):
    loss, _, _, _ = losses(args)
    return {"loss": loss.tolist()}


def op_flow_loss_grad(args):
    loss, residual, x_t, t = losses(args)
    B, d = residual.shape
    g = 2.0 * residual / d / B  # ∂(mean over the batch of mean over coordinates)/∂output
    grad = {"W": (g.T @ x_t).tolist(), "b": g.sum(axis=0).tolist()}
    if "W_time" in args["model"]:
        gt = g * t[:, None]
        grad["W_time"] = (gt.T @ x_t).tolist()
        grad["b_time"] = gt.sum(axis=0).tolist()
    return {"loss": loss.tolist(), "grad": grad}


def op_flow_timestep_sampler(args):
    rng = np.random.default_rng(args["seed"])
    u = rng.random(args["n"])
    t = 1.0 - u - MODE_SCALE * (np.cos(np.pi * u / 2.0) ** 2 - 1.0 + u)
    return {"t": t.tolist()}


if __name__ == "__main__":
    serve(HELLO, {
        "flow_interpolate": op_flow_interpolate,
        "flow_loss": op_flow_loss,
        "flow_loss_grad": op_flow_loss_grad,
        "flow_timestep_sampler": op_flow_timestep_sampler,
    })
