import { InvalidArgumentError } from '../errors.ts';
import { SAMPLER_PARAMETERIZATIONS, type SamplerParameterization } from '../diffusion/samplers/denoiser.ts';
import { type NetworkTimeDecl, parseNetworkTime } from '../diffusion/samplers/networkTime.ts';
import type { SamplerContext } from '../diffusion/samplers/samplerProgram.ts';
import { type SamplerSpec, parseSamplerSpec } from '../diffusion/samplers/samplerSpec.ts';
import { sampleShape } from '../diffusion/samplers/sampleShape.ts';
import type { TrainingTable } from '../diffusion/samplers/trainingTable.ts';
import type { SamplerHello } from './samplerProtocol.ts';

/**
 * Validates the version-2 sampler section of a hello (docs/protocol.md §8.3): top-level
 * `sample_shape`, `fixed_shape`, `arrays`, `network_time`, `parameterization`, and
 * `ops.sample.samplers` (name → declaration). Throws InvalidArgumentError naming the field.
 */
export function parseSamplerHello(raw: Record<string, unknown>): SamplerHello {
  const ops = (raw.ops ?? {}) as Record<string, unknown>;
  const sample = ops.sample;
  if (typeof sample !== 'object' || sample === null || Array.isArray(sample)) throw new InvalidArgumentError('ops.sample', sample, 'must be an object {samplers: {name: declaration}}');
  const decls = (sample as Record<string, unknown>).samplers;
  if (typeof decls !== 'object' || decls === null || Array.isArray(decls) || Object.keys(decls).length === 0) {
    throw new InvalidArgumentError('ops.sample.samplers', decls, 'must name at least one sampler: {name: {family, …}}');
  }
  const samplers: Record<string, SamplerSpec> = {};
  for (const [name, decl] of Object.entries(decls)) samplers[name] = parseSamplerSpec(decl, `ops.sample.samplers.${name}`);
  const arrays = raw.arrays ?? 'nested';
  if (arrays !== 'nested' && arrays !== 'base64') throw new InvalidArgumentError('arrays', arrays, 'must be "nested" or "base64"');
  const fixed = raw.fixed_shape ?? false;
  if (typeof fixed !== 'boolean') throw new InvalidArgumentError('fixed_shape', fixed, 'must be true or false');
  const p = raw.parameterization;
  if (p !== undefined && !(SAMPLER_PARAMETERIZATIONS as readonly unknown[]).includes(p)) {
    throw new InvalidArgumentError('parameterization', p, `must be one of ${SAMPLER_PARAMETERIZATIONS.join(', ')}`);
  }
  return {
    sampleShape: raw.sample_shape === undefined ? undefined : sampleShape(raw.sample_shape as number[]),
    fixedShape: fixed,
    binaryArrays: arrays === 'base64',
    networkTime: raw.network_time === undefined ? undefined : parseNetworkTime(raw.network_time, 'network_time'),
    parameterization: p as SamplerParameterization | undefined,
    samplers,
  };
}

/**
 * The context a declared sampler is planned in: the sampler's own parameterization / network_time,
 * else the hello's, else the defaults (flow families: flow_velocity and τ = T·t as diffusers passes;
 * others: eps and the training index).
 */
export function samplerContextFor(hello: SamplerHello, spec: SamplerSpec, table: TrainingTable | undefined): SamplerContext {
  const flow = spec.family === 'flow_euler' || spec.family === 'flow_heun';
  const networkTime: NetworkTimeDecl = spec.networkTime ?? hello.networkTime ?? (flow ? { kind: 'flow', scale: spec.numTrainTimesteps } : 'index');
  const parameterization = spec.parameterization ?? hello.parameterization ?? (flow ? 'flow_velocity' : 'eps');
  return { table, parameterization, networkTime };
}
