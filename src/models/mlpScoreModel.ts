import { InvalidArgumentError } from '../errors.ts';
import type { Rng } from '../mc/rng.ts';
import { requireFinite, requireIntegerInRange } from '../validate.ts';
import type { ConditionalScoreModel, ScoreModel } from './scoreModel.ts';

/**
 * A one-hidden-layer tanh network u ↦ W2 tanh(W1 u + b1) + b2 + (skip) S u,
 * u = x (unconditional) or (x, c) (conditional). A small nonlinear score model
 * for the Monte Carlo identities (MATH.md §2: Theorems 1–2 hold for any s).
 */
export interface MlpWeights {
  readonly inputDim: number;
  readonly hidden: number;
  readonly outputDim: number;
  /** hidden × inputDim */
  readonly W1: Float64Array;
  readonly b1: Float64Array;
  /** outputDim × hidden */
  readonly W2: Float64Array;
  readonly b2: Float64Array;
  /** outputDim × inputDim linear skip (lets a random net be a rough score). */
  readonly skip: Float64Array;
}

export interface RandomMlpOptions {
  readonly dim: number;
  /** Conditioning dimension k (0 for an unconditional model). */
  readonly condDim?: number;
  readonly hidden?: number;
  /** Weight scale (default 1): W1 ~ N(0, scale²/inputDim), W2 ~ N(0, scale²/hidden). */
  readonly scale?: number;
}

/** Seeded random weights: every draw from `rng`. */
export function randomMlpWeights(rng: Rng, opts: RandomMlpOptions): MlpWeights {
  const d = requireIntegerInRange('dim', opts.dim, 1, 1024);
  const k = requireIntegerInRange('condDim', opts.condDim ?? 0, 0, 1024);
  const h = requireIntegerInRange('hidden', opts.hidden ?? 16, 1, 4096);
  const sc = requireFinite('scale', opts.scale ?? 1);
  if (!(sc > 0)) throw new InvalidArgumentError('scale', sc, 'must be > 0');
  const n = d + k;
  const fill = (len: number, sd: number) => {
    const a = rng.fillNormal(new Float64Array(len));
    for (let i = 0; i < len; i++) a[i] *= sd;
    return a;
  };
  return {
    inputDim: n, hidden: h, outputDim: d,
    W1: fill(h * n, sc / Math.sqrt(n)),
    b1: fill(h, sc * 0.5),
    W2: fill(d * h, sc / Math.sqrt(h)),
    b2: fill(d, sc * 0.5),
    skip: fill(d * n, sc * 0.5 / Math.sqrt(n)),
  };
}

/** Evaluates the network at u into out; `hid` is scratch of length `hidden`. */
export function evaluateMlp(w: MlpWeights, u: Float64Array, hid: Float64Array, out: Float64Array): Float64Array {
  const n = w.inputDim, h = w.hidden, d = w.outputDim;
  const W1 = w.W1, W2 = w.W2, S = w.skip;
  for (let j = 0; j < h; j++) {
    let acc = w.b1[j];
    const o = j * n;
    for (let i = 0; i < n; i++) acc += W1[o + i] * u[i];
    hid[j] = Math.tanh(acc);
  }
  for (let i = 0; i < d; i++) {
    let acc = w.b2[i];
    const o = i * h;
    for (let j = 0; j < h; j++) acc += W2[o + j] * hid[j];
    const so = i * n;
    for (let j = 0; j < n; j++) acc += S[so + j] * u[j];
    out[i] = acc;
  }
  return out;
}

/** Unconditional MLP score model s(x). */
export class MlpScoreModel implements ScoreModel {
  readonly dim: number;
  private readonly hid: Float64Array;
  constructor(readonly weights: MlpWeights) {
    if (weights.inputDim !== weights.outputDim) throw new InvalidArgumentError('weights.inputDim', weights.inputDim, `must equal outputDim ${weights.outputDim} for an unconditional model`);
    this.dim = weights.outputDim;
    this.hid = new Float64Array(weights.hidden);
  }
  evaluate(x: Float64Array, out: Float64Array): Float64Array {
    return evaluateMlp(this.weights, x, this.hid, out);
  }
}

/** Conditional MLP score model s(x, c) on the concatenation (x, c). */
export class MlpConditionalScoreModel implements ConditionalScoreModel {
  readonly dim: number;
  readonly condDim: number;
  private readonly hid: Float64Array;
  private readonly u: Float64Array;
  constructor(readonly weights: MlpWeights) {
    this.dim = weights.outputDim;
    this.condDim = weights.inputDim - weights.outputDim;
    if (this.condDim < 1) throw new InvalidArgumentError('weights.inputDim', weights.inputDim, `must exceed outputDim ${weights.outputDim} for a conditional model`);
    this.hid = new Float64Array(weights.hidden);
    this.u = new Float64Array(weights.inputDim);
  }
  evaluate(x: Float64Array, c: Float64Array, out: Float64Array): Float64Array {
    const d = this.dim, u = this.u;
    for (let i = 0; i < d; i++) u[i] = x[i];
    for (let i = 0; i < this.condDim; i++) u[d + i] = c[i];
    return evaluateMlp(this.weights, u, this.hid, out);
  }
}

/** A seeded random unconditional MLP score model. */
export function randomMlpScoreModel(rng: Rng, opts: Omit<RandomMlpOptions, 'condDim'>): MlpScoreModel {
  return new MlpScoreModel(randomMlpWeights(rng, { ...opts, condDim: 0 }));
}

/** A seeded random conditional MLP score model. */
export function randomMlpConditionalScoreModel(rng: Rng, opts: RandomMlpOptions & { condDim: number }): MlpConditionalScoreModel {
  return new MlpConditionalScoreModel(randomMlpWeights(rng, opts));
}
