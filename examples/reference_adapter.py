#!/usr/bin/env python3
"""A correct scorecheck subject in Python, standard library only (docs/protocol.md).

    scorecheck check --cmd "python3 examples/reference_adapter.py"

It speaks the protocol on stdin/stdout: one JSON request per line in, one JSON response
per line out. Conventions chosen to differ from the JS reference: Ho et al.'s 1-based
timesteps (t_base = 1), the cosine schedule, an x0-predicting network with SNR weighting
(the x0 loss weighted by SNR is Ho's L_simple in disguise), summed over coordinates, the
sampler's variance σ_t² = β_t, and the BO-DDNM zero-shot step.

To adapt your own code, replace the bodies of the op_* functions by calls into it
(convert the nested lists with numpy.asarray / torch.tensor(dtype=float64) and back with
.tolist()). Log to stderr: stdout carries protocol lines only.
"""
import math
import random

from scorecheck_protocol import serve  # the JSON-lines loop, next to this file

PARAMETERIZATION = "x0"
T_BASE = 1
T = 1000


def cosine_alphas_cumprod(T, s=0.008):
    f = lambda t: math.cos(((t / T) + s) / (1 + s) * math.pi / 2) ** 2
    betas = [min(0.999, 1 - f(i + 1) / f(i)) for i in range(T)]
    out, p = [], 1.0
    for b in betas:
        p *= 1 - b
        out.append(p)
    return betas, out


BETAS, ALPHAS_CUMPROD = cosine_alphas_cumprod(T)


def ab(k):
    return ALPHAS_CUMPROD[k - T_BASE]


def ab_prev(k):
    i = k - T_BASE
    return 1.0 if i == 0 else ALPHAS_CUMPROD[i - 1]


def beta(k):
    return BETAS[k - T_BASE]


def matvec(W, x):
    return [sum(w * v for w, v in zip(row, x)) for row in W]


def matmul(A, B):
    return [[sum(A[i][k] * B[k][j] for k in range(len(B))) for j in range(len(B[0]))] for i in range(len(A))]


def transpose(A):
    return [list(r) for r in zip(*A)]


def solve(A, B):
    """Solves A X = B by Gauss-Jordan elimination with partial pivoting."""
    n = len(A)
    M = [list(A[i]) + list(B[i]) for i in range(n)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(M[r][c]))
        M[c], M[p] = M[p], M[c]
        for r in range(n):
            if r != c:
                f = M[r][c] / M[c][c]
                M[r] = [a - f * b for a, b in zip(M[r], M[c])]
    return [[v / M[i][i] for v in M[i][n:]] for i in range(n)]


def pinv_full_row_rank(H):
    return transpose(solve(matmul(H, transpose(H)), H))


def net(model, x):
    return [v + b for v, b in zip(matvec(model["W"], x), model["b"])]


def score_from_output(out, x, k):
    """The x0-prediction read as a score: ŝ = (√ᾱ x̂0 − x)/(1−ᾱ) (Tweedie)."""
    a, s2 = math.sqrt(ab(k)), 1 - ab(k)
    return [(a * o - v) / s2 for o, v in zip(out, x)]


def sigma(k):
    return math.sqrt(beta(k))


def op_schedule(args):
    return {"alpha_bar": ALPHAS_CUMPROD, "t_base": T_BASE}


def op_add_noise(args):
    return {"xt": [[math.sqrt(ab(k)) * v + math.sqrt(1 - ab(k)) * e for v, e in zip(x0, n)]
                   for x0, n, k in zip(args["x0"], args["noise"], args["t"])]}


def op_q_sample(args):
    rng = random.Random(args["seed"])
    noise = [[rng.gauss(0.0, 1.0) for _ in row] for row in args["x0"]]
    return op_add_noise({"x0": args["x0"], "noise": noise, "t": args["t"]})


def op_posterior(args):
    mean, var = [], []
    for x0, xt, k in zip(args["x0"], args["xt"], args["t"]):
        c0 = math.sqrt(ab_prev(k)) * beta(k) / (1 - ab(k))
        ct = math.sqrt(1 - beta(k)) * (1 - ab_prev(k)) / (1 - ab(k))
        mean.append([c0 * a + ct * b for a, b in zip(x0, xt)])
        var.append((1 - ab_prev(k)) / (1 - ab(k)) * beta(k))
    return {"mean": mean, "variance": var}


def op_loss(args):
    xt = op_add_noise(args)["xt"]
    out = []
    for x, x0, k in zip(xt, args["x0"], args["t"]):
        snr = ab(k) / (1 - ab(k))
        pred = net(args["model"], x)
        out.append(snr * sum((p - v) ** 2 for p, v in zip(pred, x0)))
    return {"loss": out}


def op_step(args):
    res = []
    for x, z, k in zip(args["xt"], args["z"], args["t"]):
        sc = score_from_output(net(args["model"], x), x, k)
        res.append([(v + beta(k) * g) / math.sqrt(1 - beta(k)) + sigma(k) * e for v, g, e in zip(x, sc, z)])
    return {"x_prev": res}


def op_zero_shot_step(args):
    H, sy = args["H"], args["sigma_y"]
    Hp = pinv_full_row_rank(H)
    P = matmul(Hp, H)
    HpHpT = matmul(Hp, transpose(Hp))
    d = len(P)
    res = []
    for x, y, z, k in zip(args["xt"], args["y"], args["z"], args["t"]):
        sc = score_from_output(net(args["model"], x), x, k)
        Ps, Px, Hpy = matvec(P, sc), matvec(P, x), matvec(Hp, y)
        Sigma = [[ab(k) * sy * sy * HpHpT[i][j] + (1 - ab(k) if i == j else 0.0) for j in range(d)] for i in range(d)]
        f = [r[0] for r in solve(Sigma, [[math.sqrt(ab(k)) * h - p] for h, p in zip(Hpy, Px)])]
        g = [s - ps + fi for s, ps, fi in zip(sc, Ps, f)]
        res.append([(v + beta(k) * gi) / math.sqrt(1 - beta(k)) + sigma(k) * e for v, gi, e in zip(x, g, z)])
    return {"x_prev": res}


HELLO = {
    "protocol_version": 1,
    "name": "reference (Python, stdlib)",
    "parameterization": PARAMETERIZATION,
    "ops": {
        "schedule": {},
        "add_noise": {},
        "q_sample": {},
        "posterior": {},
        "loss": {"weighting": {"kind": "snr"}, "reduction": "sum"},
        "step": {"variance": "beta"},
        "zero_shot_step": {"variant": "bo_ddnm", "variance": "beta"},
    },
}

OPS = {name[3:]: fn for name, fn in globals().items() if name.startswith("op_")}

if __name__ == "__main__":
    serve(HELLO, OPS)
