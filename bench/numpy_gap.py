#!/usr/bin/env python3
"""The DSM - ESM gap estimator of scorecheck's bench, written in NumPy.

Reads the workloads written by bench/run.ts (same data, level, model weights,
sample counts) and runs the SAME algorithm as
src/objectives/reducedVariance/gaussianGapTerms.ts: eigenframe of the data
covariance, model folded into the frame, batched normals, per-sample A + B.
Written for NumPy's speed: whole-batch BLAS products, in-place updates into
preallocated buffers, one einsum per batch for A + B, and the batch size
(rows per vectorized chunk) chosen per workload as the fastest of BATCHES in
the warm-up. Prints JSON: per d and model, median seconds and samples/s, the
batch used, the estimate (to check both compute the same thing), and
standard_normal throughput.

Usage: python3 bench/numpy_gap.py workloads.json [reps]
"""
import json
import sys
import time

import numpy as np

BATCHES = (256, 1024, 4096, 16384)  # candidate rows per vectorized chunk


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
    WfT = np.ascontiguousarray((q.T @ A @ q).T)
    bf = q.T @ (A @ shift + b)

    def model(U):
        G = U @ WfT
        G += bf
        return G
    return model


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

    def model(U):
        H = U @ W1f
        H += b1f
        np.tanh(H, out=H)
        G = H @ W2f
        G += U @ Sf
        G += b2f
        return G
    return model


def gap_estimate(w, model, r, p, rng, batch):
    d, n, s = w["d"], w["n"], w["s"]
    Z = np.empty((min(batch, n), 2 * d))
    total = 0.0
    total_sq = 0.0
    done = 0
    while done < n:
        m = min(batch, n - done)
        Zm = Z[:m]
        rng.standard_normal(out=Zm)
        W, E = Zm[:, :d], Zm[:, d:]
        U = W * r
        U += s * E
        G = model(U)
        es = E * (1.0 / s)
        sig = U * (-p)
        v = es + sig  # A + B = (es - sig)·v + 2 G·v = (es - sig + 2G)·v
        es -= sig
        G *= 2.0
        G += es
        g = np.einsum("ij,ij->i", G, v)
        total += g.sum()
        total_sq += g @ g
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
    ts, cs = [], []
    for _ in range(reps):
        c0, t0 = time.process_time(), time.perf_counter()
        rng.standard_normal(out=buf)
        ts.append(time.perf_counter() - t0)
        cs.append(time.process_time() - c0)
    out["sampler"] = {"n": buf.size, "median": float(np.median(ts)), "min": min(ts), "max": max(ts), "cpu_median": float(np.median(cs))}
    for w in workloads:
        q, r, p, shift = frame(w)
        for kind, build in (("affine", affine_in_frame), ("mlp", mlp_in_frame)):
            model = build(w, q, shift)
            tried = {}
            for b in BATCHES:  # warm-up, and NumPy's best batch size for this workload
                t0 = time.perf_counter()
                gap_estimate(w, model, r, p, rng, b)
                tried[b] = time.perf_counter() - t0
            batch = min(tried, key=tried.get)
            ts, cs = [], []
            est = None
            for _ in range(reps):
                c0, t0 = time.process_time(), time.perf_counter()
                est = gap_estimate(w, model, r, p, rng, batch)
                ts.append(time.perf_counter() - t0)
                cs.append(time.process_time() - c0)
            out["gap"].append({
                "d": w["d"], "model": kind, "n": w["n"], "batch": batch,
                "median": float(np.median(ts)), "min": min(ts), "max": max(ts),
                "cpu_median": float(np.median(cs)),
                "mean": est[0], "variance": est[1],
            })
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
