/**
 * The scorecheck subject protocol, version 2 — sampling loops (docs/protocol.md §8). Version-1
 * subjects are unchanged: everything here is reached only through a version-2 hello that declares
 * `ops.sample`. Arrays are nested lists or {dtype, shape, data} objects (arrayCodec.ts).
 */
import { InvalidArgumentError } from '../errors.ts';
import type { SamplerParameterization } from '../diffusion/samplers/denoiser.ts';
import type { NetworkTimeDecl } from '../diffusion/samplers/networkTime.ts';
import type { SampleShape } from '../diffusion/samplers/sampleShape.ts';
import type { SamplerNetwork, StructuredLinear } from '../diffusion/samplers/samplerNetwork.ts';
import type { SamplerSpec } from '../diffusion/samplers/samplerSpec.ts';
import { type DecodedArray, type WireArray, type WireDtype, decodeArray, encodeArray, toNested } from './arrayCodec.ts';

export const SAMPLER_PROTOCOL_VERSION = 2;

/** The hello's version-2 sampler section, validated (samplerHello.ts). */
export interface SamplerHello {
  /** The largest sample shape the subject runs; absent: any [d]. */
  readonly sampleShape?: SampleShape;
  /** Whether the shape is fixed (the subject cannot run smaller shapes). */
  readonly fixedShape: boolean;
  /** The subject accepts {dtype, shape, data} arrays in requests. */
  readonly binaryArrays: boolean;
  readonly networkTime?: NetworkTimeDecl;
  readonly parameterization?: SamplerParameterization;
  readonly samplers: Readonly<Record<string, SamplerSpec>>;
}

/** A `sample` request before encoding. Batches: x_init B×shape, noises n×B×shape. */
export interface SampleRequest {
  readonly sampler: string;
  readonly numInferenceSteps: number;
  readonly timesteps?: readonly number[];
  readonly eta?: number;
  readonly shape: SampleShape;
  readonly xInit: readonly Float64Array[];
  /** noises[i][b]: step i, sample b; undefined for deterministic samplers. */
  readonly noises?: readonly (readonly Float64Array[])[];
  readonly network: SamplerNetwork;
}

export interface SampleResponse {
  readonly xFinal: Float64Array[];
  /** τ of each network call, when reported. */
  readonly tau?: Float64Array;
  /** The subject's timestep list, when reported. */
  readonly timesteps?: Float64Array;
}

type Encoded = WireArray | unknown;

function arr(data: ArrayLike<number>, shape: readonly number[], binary: boolean, dtype: WireDtype): Encoded {
  return binary ? encodeArray(data, shape, dtype) : toNested(data, shape);
}

function stack(rows: readonly ArrayLike<number>[], size: number): Float64Array {
  const out = new Float64Array(rows.length * size);
  rows.forEach((r, i) => out.set(r, i * size));
  return out;
}

function encodeLinear(L: StructuredLinear, shape: SampleShape, binary: boolean): unknown {
  return { mix: arr(L.mix, [shape.C, shape.C], binary, 'float64'), diag: L.diag ? arr(L.diag, shape.dims, binary, 'float64') : null };
}

/** The network as a request carries it (MATH.md §5.2, docs/protocol.md §8.4). */
export function encodeNetwork(net: SamplerNetwork, binary: boolean): unknown {
  const s = net.shape;
  if (net.kind === 'affine_time') {
    return {
      kind: 'affine_time',
      g: { omega: net.g.omega, phase: net.g.phase },
      W0: encodeLinear(net.W0, s, binary),
      W1: encodeLinear(net.W1, s, binary),
      b0: arr(net.b0, s.dims, binary, 'float64'),
      b1: arr(net.b1, s.dims, binary, 'float64'),
      ...(net.variance ? { variance: { v0: arr(net.variance.v0, s.dims, binary, 'float64'), v1: arr(net.variance.v1, s.dims, binary, 'float64') } } : {}),
    };
  }
  const m = net.tau.length;
  return {
    kind: 'table',
    tau: Array.from(net.tau),
    K: arr(stack(net.K, s.C * s.C), [m, s.C, s.C], binary, 'float64'),
    B: arr(stack(net.B, s.C * s.C), [m, s.C, s.C], binary, 'float64'),
    mu: arr(net.mu, s.dims, binary, 'float64'),
    ...(net.v ? { v: Array.from(net.v) } : {}),
  };
}

/** The `sample` args object. x_init and noises travel as float64 (they are exact test inputs). */
export function encodeSampleArgs(req: SampleRequest, binary: boolean): Record<string, unknown> {
  const { shape } = req;
  const B = req.xInit.length;
  const args: Record<string, unknown> = {
    sampler: req.sampler,
    num_inference_steps: req.numInferenceSteps,
    x_init: arr(stack(req.xInit, shape.size), [B, ...shape.dims], binary, 'float64'),
    network: encodeNetwork(req.network, binary),
  };
  if (req.timesteps) args.timesteps = [...req.timesteps];
  if (req.eta !== undefined) args.eta = req.eta;
  if (req.noises) {
    const n = req.noises.length;
    args.noises = arr(stack(req.noises.flat(), shape.size), [n, B, ...shape.dims], binary, 'float64');
  }
  return args;
}

/** Reads a `sample` result: x_final B×shape (nested or binary), optional tau and timesteps. */
export function decodeSampleResult(result: unknown, B: number, shape: SampleShape): SampleResponse {
  if (typeof result !== 'object' || result === null) throw new InvalidArgumentError('result', result, 'must be an object {x_final, tau?, timesteps?}');
  const r = result as Record<string, unknown>;
  if (!('x_final' in r)) throw new InvalidArgumentError('result.x_final', undefined, 'missing');
  const x: DecodedArray = decodeArray(r.x_final, 'result.x_final', [B, ...shape.dims]);
  const xFinal = Array.from({ length: B }, (_, b) => x.data.slice(b * shape.size, (b + 1) * shape.size));
  const vec = (k: string): Float64Array | undefined => {
    if (r[k] === undefined || r[k] === null) return undefined;
    const d = decodeArray(r[k], `result.${k}`);
    if (d.shape.length !== 1) throw new InvalidArgumentError(`result.${k}`, `shape [${d.shape}]`, 'must be a flat list');
    return d.data;
  };
  return { xFinal, tau: vec('tau'), timesteps: vec('timesteps') };
}
