#!/usr/bin/env python3
"""The DSM - ESM gap estimator of scorecheck's bench, written in NumPy.

Reads the workloads written by bench/run.ts (same data, level, model weights,
sample counts) and runs the SAME algorithm as
src/mc/varianceReduction/gaussianGapTerms.ts: eigenframe of the data covariance,
model folded into the frame, batched normals, per-sample A + B. Prints JSON:
per d and model, median seconds and samples/s, plus the estimate (to check both
compute the same thing), and standard_normal throughput.

Usage: python3 bench/numpy_gap.py workloads.json [reps]
"""
import json
import sys
import time

import numpy as np

BATCH = 16384  # rows per vectorized chunk (NumPy's best case: large arrays)


def frame(w):
    d = w["d"]
    a, s = w["a"], w["s"]
    cov = np.array(w["cov"]).reshape(d, d)
    lam, q = np.linalg.eigh(cov)
    lam = np.maximum(lam, 0.0)
    r = a * np.sqrt(lam)
    p = 1.0 / (a * a * lam + s * s)
    shift = a * np.array(w["mean"])
    return q, r, p, shift


def affine_in_frame(w, q, shift):
    d = w["d"]
    A = np.array(w["affine"]["A"]).reshape(d, d)
    b = np.array(w["affine"]["b"])
    Wf = q.T @ A @ q
    bf = q.T @ (A @ shift + b)
    WfT = np.ascontiguousarray(Wf.T)
    return lambda U: U @ WfT + bf


def mlp_in_frame(w, q, shift):
    d, m = w["d"], w["mlp"]
    h = m["hidden"]
    W1 = np.array(m["W1"]).reshape(h, d)
    b1 = np.array(m["b1"])
    W2 = np.array(m["W2"]).reshape(d, h)
    b2 = np.array(m["b2"])
    S = np.array(m["skip"]).reshape(d, d)
    W1f = np.ascontiguousarray((W1 @ q).T)
    b1f = W1 @ shift + b1
    W2f = np.ascontiguousarray((q.T @ W2).T)
    b2f = q.T @ (b2 + S @ shift)
    Sf = np.ascontiguousarray((q.T @ S @ q).T)
    return lambda U: np.tanh(U @ W1f + b1f) @ W2f + b2f + U @ Sf


def gap_estimate(w, model, r, p, rng):
    d, n, s = w["d"], w["n"], w["s"]
    total = 0.0
    total_sq = 0.0
    done = 0
    while done < n:
        m = min(BATCH, n - done)
        Z = rng.standard_normal((m, 2 * d))
        W, E = Z[:, :d], Z[:, d:]
        U = W * r + s * E
        G = model(U)
        es = E / s
        sig = -p * U
        g = np.einsum("ij,ij->i", es - sig, es + sig) + 2.0 * np.einsum("ij,ij->i", G, es + sig)
        total += g.sum()
        total_sq += (g * g).sum()
        done += m
    mean = total / n
    var = (total_sq - n * mean * mean) / (n - 1)
    return mean, var


def main():
    workloads = json.load(open(sys.argv[1]))
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    rng = np.random.default_rng(12345)
    out = {"numpy": np.__version__, "gap": [], "sampler": None}
    buf = np.empty(1 << 20)
    for _ in range(2):
        rng.standard_normal(out=buf)
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        rng.standard_normal(out=buf)
        ts.append(time.perf_counter() - t0)
    out["sampler"] = {"n": buf.size, "median": float(np.median(ts)), "min": min(ts), "max": max(ts)}
    for w in workloads:
        q, r, p, shift = frame(w)
        for kind, build in (("affine", affine_in_frame), ("mlp", mlp_in_frame)):
            model = build(w, q, shift)
            gap_estimate(w, model, r, p, rng)  # warm-up
            ts = []
            est = None
            for _ in range(reps):
                t0 = time.perf_counter()
                est = gap_estimate(w, model, r, p, rng)
                ts.append(time.perf_counter() - t0)
            out["gap"].append({
                "d": w["d"], "model": kind, "n": w["n"],
                "median": float(np.median(ts)), "min": min(ts), "max": max(ts),
                "mean": est[0], "variance": est[1],
            })
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
