import type { SamplerCase } from '../../../arbitraries/samplerCase.ts';
import {
  type AffineTimeNetwork, type SampleShape, type SamplerProgram, type SamplerRequest, type SamplerSpec, type StructuredLinear,
} from '../../../diffusion/samplers/index.ts';
import { createRng } from '../../../mc/rng.ts';
import { type SamplerCheckContext, programFor, requestFor } from './samplerCheckContext.ts';

/**
 * One `sample` request built from a case (docs/protocol.md §8.4): the declared sampler's program
 * for the chosen step count, the time-aware network with ω matched to the loop's own τ spacing,
 * the initial states and the per-step noises the program draws.
 */
export interface BuiltRequest {
  readonly name: string;
  readonly spec: SamplerSpec;
  readonly req: SamplerRequest;
  readonly program: SamplerProgram;
  readonly shape: SampleShape;
  readonly network: AffineTimeNetwork;
  readonly xInit: Float64Array[];
  /** noises[i][b], or undefined when the program draws none. */
  readonly noises?: Float64Array[][];
}

/** The typical spacing of a loop's τ values (median gap; 1 when they are all equal). */
export function typicalTauGap(taus: readonly number[]): number {
  const gaps = taus.slice(1).map((t, i) => Math.abs(t - taus[i])).filter((g) => g > 0).sort((a, b) => a - b);
  return gaps.length ? gaps[Math.floor(gaps.length / 2)] : 1;
}

function field(values: readonly number[], size: number, seed: number, label: string): Float64Array {
  if (size <= values.length) return Float64Array.from(values.slice(0, size));
  const rng = createRng(`${seed}/${label}`);
  const scale = Math.max(...values.map(Math.abs), 0);
  return Float64Array.from({ length: size }, () => scale * (2 * rng.uniform() - 1));
}

function linear(mix: readonly number[], diag: readonly number[], shape: SampleShape, maxC: number, seed: number, label: string): StructuredLinear {
  const { C } = shape;
  const m = new Float64Array(C * C);
  for (let i = 0; i < C; i++) for (let j = 0; j < C; j++) m[i * C + j] = mix[i * maxC + j] / C;
  const d = field(diag, shape.size, seed, label);
  return { mix: m, diag: d.every((v) => v === 0) ? null : d };
}

/** DDPM, and DDIM unless η is declared 0. */
export function isStochastic(spec: SamplerSpec): boolean {
  return spec.family === 'ddpm' || (spec.family === 'ddim' && spec.eta !== 0);
}

export function buildRequest(
  ctx: SamplerCheckContext, name: string, spec: SamplerSpec, c: SamplerCase, stepCounts: readonly number[], shapes: readonly SampleShape[], maxC: number, explicitSize: number,
): BuiltRequest {
  const shape = shapes[c.shapeIndex];
  const n = stepCounts[c.stepIndex];
  const req = requestFor(spec, ctx.table, n, c.listSeed, c.eta);
  const program = programFor(ctx, spec, req);
  const k = c.net;
  const network: AffineTimeNetwork = {
    kind: 'affine_time',
    shape,
    g: { omega: k.omegaFactor / typicalTauGap(program.taus), phase: k.phase },
    W0: linear(k.mix0, k.diag0, shape, maxC, k.fieldSeed, 'diag0'),
    W1: linear(k.mix1, k.diag1, shape, maxC, k.fieldSeed, 'diag1'),
    b0: field(k.bias0, shape.size, k.fieldSeed, 'bias0'),
    b1: field(k.bias1, shape.size, k.fieldSeed, 'bias1'),
    ...(spec.family === 'ddpm' && spec.variance === 'learned_range'
      ? { variance: { v0: new Float64Array(shape.size).fill(k.variance0), v1: new Float64Array(shape.size).fill(k.variance1) } }
      : {}),
  };
  const xInit = Array.from({ length: c.batch }, (_, b) =>
    shape.size <= explicitSize ? Float64Array.from(c.xInit.slice(b * explicitSize, b * explicitSize + shape.size)) : createRng(`${c.noiseSeed}/x/${b}`).fillNormal(new Float64Array(shape.size)));
  // A stochastic family gets a noise for every step even where the declared loop draws none
  // (DDPM's last step, DDIM at η = 0): a loop that adds noise where it must not then returns
  // wrong numbers instead of failing to find any.
  let noises: Float64Array[][] | undefined;
  if (program.noiseSteps.some(Boolean) || isStochastic(spec)) {
    const rng = createRng(`${c.noiseSeed}/z`);
    noises = program.noiseSteps.map(() => Array.from({ length: c.batch }, () => rng.fillNormal(new Float64Array(shape.size))));
  }
  return { name, spec, req, program, shape, network, xInit, noises };
}
