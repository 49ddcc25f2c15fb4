import { Gaussian } from '../src/gaussian/gaussian.ts';
import type { Matrix } from '../src/linalg/index.ts';
import { createRng } from '../src/mc/rng.ts';
import { AffineScoreModel } from '../src/models/affineScoreModel.ts';
import { type MlpWeights, MlpScoreModel, randomMlpWeights } from '../src/models/mlpScoreModel.ts';
import type { NoiseLevel } from '../src/diffusion/noiseLevel.ts';

/** One benchmark case of the DSM − ESM gap estimator, fixed by a seed. */
export interface GapWorkload {
  readonly d: number;
  /** Samples per timed repetition. */
  readonly n: number;
  readonly level: NoiseLevel;
  readonly data: Gaussian;
  readonly affine: AffineScoreModel;
  readonly mlp: MlpScoreModel;
}

export const BENCH_DIMS = [2, 8, 32, 128] as const;
export const MLP_HIDDEN = 64;
/** Samples per repetition: ≈ 0.1–0.5 s of work per estimator on a 2-core machine. */
export const SAMPLES: Record<number, number> = { 2: 1_000_000, 8: 400_000, 32: 100_000, 128: 20_000 };

/** Data N(μ, Σ) with Σ = GGᵀ/d + 0.1 I (condition number ~10–100), VP level ᾱ = 0.75, random models. */
export function gapWorkload(d: number): GapWorkload {
  const rng = createRng(`bench/gap/${d}`);
  const g = rng.fillNormal(new Float64Array(d * d));
  const cov: Matrix = { rows: d, cols: d, data: new Float64Array(d * d) };
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    let t = 0;
    for (let k = 0; k < d; k++) t += g[i * d + k] * g[j * d + k];
    cov.data[i * d + j] = t / d + (i === j ? 0.1 : 0);
  }
  const data = new Gaussian(rng.fillNormal(new Float64Array(d)), cov, 'bench.data');
  const A = rng.fillNormal(new Float64Array(d * d)).map((x) => x / Math.sqrt(d));
  const affine = new AffineScoreModel({ rows: d, cols: d, data: A }, rng.fillNormal(new Float64Array(d)));
  const mlp = new MlpScoreModel(randomMlpWeights(rng, { dim: d, hidden: MLP_HIDDEN }));
  return { d, n: SAMPLES[d], level: { a: Math.sqrt(0.75), s: Math.sqrt(0.25) }, data, affine, mlp };
}

/** The workload as plain JSON for bench/numpy_gap.py (same numbers, same sizes). */
export function workloadJson(w: GapWorkload): unknown {
  const m: MlpWeights = w.mlp.weights;
  const arr = (x: ArrayLike<number>) => Array.from(x);
  return {
    d: w.d, n: w.n, a: w.level.a, s: w.level.s,
    mean: arr(w.data.mean), cov: arr(w.data.cov.data),
    affine: { A: arr(w.affine.A.data), b: arr(w.affine.b) },
    mlp: { hidden: m.hidden, W1: arr(m.W1), b1: arr(m.b1), W2: arr(m.W2), b2: arr(m.b2), skip: arr(m.skip) },
  };
}
