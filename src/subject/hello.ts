import { describeValue } from '../errors.ts';
import { InvalidArgumentError } from '../errors.ts';
import { PRECISIONS } from '../numerics/roundingArithmetic.ts';
import { type DeclaredOps, type Hello, OP_NAMES, SUBJECT_PARAMETERIZATIONS, SUPPORTED_PROTOCOL_VERSIONS, V2_OP_NAMES, type Weighting } from './protocol.ts';
import { SAMPLER_PARAMETERIZATIONS } from '../diffusion/samplers/denoiser.ts';
import type { SamplerHello } from './samplerProtocol.ts';
import { parseSamplerHello } from './samplerHello.ts';
import { SubjectFatalError } from './subjectError.ts';
import { parseScheduleDeclaration, parseTrainingDeclaration } from './trainingHello.ts';
import { TRAINING_OP_NAMES, type TrainingOpName } from './trainingProtocol.ts';
import { parseFlowDeclaration, parseFlowHello } from './flowHello.ts';
import { FLOW_OP_NAMES, type FlowHello, type FlowOpName } from './flowProtocol.ts';

const HELLO_REF = { op: 'hello', requestId: 0 } as const;

function bad(field: string, value: unknown, reason: string): never {
  throw new SubjectFatalError('handshake', HELLO_REF, `${field}: ${reason} (got ${describeValue(value)})`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseWeighting(v: unknown, field = 'ops.loss.weighting'): Weighting {
  if (!isObject(v)) bad(field, v, 'must be an object {kind, gamma?}');
  const kind = v.kind;
  if (kind === 'unit' || kind === 'snr') return { kind };
  if (kind === 'min_snr' || kind === 'min_snr_over_snr' || kind === 'min_snr_over_snr_plus_one') {
    const gamma = v.gamma;
    if (typeof gamma !== 'number' || !(gamma > 0) || !Number.isFinite(gamma)) bad(`${field}.gamma`, gamma, 'must be a finite number > 0');
    return { kind, gamma };
  }
  return bad(`${field}.kind`, kind, 'must be one of unit, snr, min_snr, min_snr_over_snr, min_snr_over_snr_plus_one');
}

function oneOf<T extends string>(field: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) bad(field, v, `must be one of ${allowed.join(', ')}`);
  return v as T;
}

/** Validates the subject's hello result; every problem names the field (verdict 'error', op "hello"). */
export function parseHello(raw: unknown): Hello {
  if (!isObject(raw)) bad('hello', raw, 'must be an object');
  const version = raw.protocol_version as number;
  if (!SUPPORTED_PROTOCOL_VERSIONS.includes(version)) bad('protocol_version', raw.protocol_version, `must be one of ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}`);
  const name = typeof raw.name === 'string' ? raw.name : 'unnamed subject';
  if (!isObject(raw.ops)) bad('ops', raw.ops, 'must be an object keyed by operation name');
  const ops: Record<string, unknown> = {};
  // Flow matching (issue 19): the path the flow ops share, parsed when one is declared.
  const flow: FlowHello | undefined = Object.keys(raw.ops).some((op) => (FLOW_OP_NAMES as readonly string[]).includes(op)) ? parseFlowHello(bad, raw.flow) : undefined;
  for (const [op, decl] of Object.entries(raw.ops)) {
    if (!(OP_NAMES as readonly string[]).includes(op)) bad(`ops.${op}`, op, `unknown operation; known: ${OP_NAMES.join(', ')}`);
    if (decl !== true && !isObject(decl)) bad(`ops.${op}`, decl, 'must be an object (or true)');
    if (version < 2 && V2_OP_NAMES.includes(op as never)) bad(`ops.${op}`, op, 'needs protocol_version 2');
    const d = isObject(decl) ? decl : {};
    if (op === 'loss') {
      ops.loss = { weighting: parseWeighting(d.weighting ?? { kind: 'unit' }), reduction: oneOf('ops.loss.reduction', d.reduction, ['mean', 'sum'] as const) };
    } else if (op === 'step') {
      ops.step = { variance: oneOf('ops.step.variance', d.variance, ['beta', 'beta_tilde'] as const) };
    } else if (op === 'zero_shot_step') {
      ops.zero_shot_step = {
        variant: oneOf('ops.zero_shot_step.variant', d.variant, ['ddnm', 'bo_ddnm'] as const),
        variance: oneOf('ops.zero_shot_step.variance', d.variance, ['beta', 'beta_tilde'] as const),
      };
    } else if (op === 'schedule') {
      ops.schedule = parseScheduleDeclaration(bad, d);
    } else if ((TRAINING_OP_NAMES as readonly string[]).includes(op)) {
      ops[op] = parseTrainingDeclaration(bad, op as TrainingOpName, d, parseWeighting);
    } else if (flow && (FLOW_OP_NAMES as readonly string[]).includes(op)) {
      ops[op] = parseFlowDeclaration(bad, op as FlowOpName, d, flow);
    } else ops[op] = {};
  }
  const needsModel = ['loss', 'step', 'zero_shot_step', 'loss_grad', 'vlb_terms', 'loss_input_grad', 'sds_grad'].some((op) => op in ops);
  let parameterization: Hello['parameterization'];
  // Version 2: sampler-only subjects may declare the sampler outputs (edm, flow_velocity), kept in hello.sampler.
  const samplerOnly = !needsModel && 'sample' in ops && (SAMPLER_PARAMETERIZATIONS as readonly unknown[]).includes(raw.parameterization);
  if (!samplerOnly && (raw.parameterization !== undefined || needsModel)) parameterization = oneOf('parameterization', raw.parameterization, SUBJECT_PARAMETERIZATIONS);
  let sampler: SamplerHello | undefined;
  if ('sample' in ops) {
    try {
      sampler = parseSamplerHello(raw);
    } catch (e) {
      if (e instanceof InvalidArgumentError) bad(e.field, e.value, e.reason);
      throw e;
    }
  }
  const precision = raw.precision === undefined ? 'float64' : oneOf('precision', raw.precision, ['float64', 'float32'] as const);
  const coefficient_precision = raw.coefficient_precision === undefined ? undefined : oneOf('coefficient_precision', raw.coefficient_precision, PRECISIONS);
  return { protocol_version: version, name, parameterization, precision, coefficient_precision, ops: ops as DeclaredOps, ...(sampler ? { sampler } : {}), ...(flow ? { flow } : {}) };
}
