import { requireVarianceSpec, type VarianceSpec } from '../diffusion/learnedVariance.ts';
import { type NamedScheduleSpec, requireNamedSchedule } from '../diffusion/namedSchedules.ts';
import type { Weighting } from '../diffusion/lossWeighting.ts';
import { ScorecheckError } from '../errors.ts';
import { TIMESTEP_SAMPLER_KINDS, type TimestepSamplerSpec } from '../theory/timestepDistribution.ts';
import type { DecoderSpec, VlbUnits } from '../theory/variationalBound.ts';
import type { SdsWeighting } from '../theory/sdsGradient.ts';
import type { ScheduleDeclaration, TrainingDeclaredOps, TrainingOpName } from './trainingProtocol.ts';

/*
 * Parsing the training ops' declarations in a subject's hello (docs/protocol.md §7). Every problem
 * is reported through `bad(field, value, reason)` (a handshake error naming the field).
 */

export type Bad = (field: string, value: unknown, reason: string) => never;

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function oneOf<T extends string>(bad: Bad, field: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) bad(field, v, `must be one of ${allowed.join(', ')}`);
  return v as T;
}

function finitePositive(bad: Bad, field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !(v > 0)) bad(field, v, 'must be a finite number > 0');
  return v as number;
}

/** Library validators throw InvalidArgumentError naming the field: re-raise as a handshake error. */
export function guarded<T>(bad: Bad, field: string, value: unknown, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ScorecheckError) bad(field, value, e.message);
    throw e;
  }
}

function variance(bad: Bad, field: string, v: unknown): VarianceSpec {
  const spec = (v ?? { kind: 'fixed_small' }) as VarianceSpec;
  return guarded(bad, field, v, () => requireVarianceSpec(spec, field));
}

function decoder(bad: Bad, field: string, v: unknown): DecoderSpec {
  if (!isObject(v)) return bad(field, v, 'must be {kind: "discretized_gaussian", cdf: "exact" | "tanh_approx"} or {kind: "gaussian"}');
  const kind = oneOf(bad, `${field}.kind`, v.kind, ['discretized_gaussian', 'gaussian'] as const);
  return kind === 'gaussian' ? { kind } : { kind, cdf: oneOf(bad, `${field}.cdf`, v.cdf, ['exact', 'tanh_approx'] as const) };
}

function units(bad: Bad, field: string, v: unknown): VlbUnits {
  return v === undefined ? 'bits_per_dim' : oneOf(bad, field, v, ['nats', 'bits_per_dim'] as const);
}

/** `ops.schedule`: {} or {named: {...}}. */
export function parseScheduleDeclaration(bad: Bad, d: Record<string, unknown>): ScheduleDeclaration {
  if (d.named === undefined) return {};
  const spec = d.named as NamedScheduleSpec;
  return { named: guarded(bad, 'ops.schedule.named', d.named, () => requireNamedSchedule(spec, 'ops.schedule.named')) };
}

/** One training op's declaration. `weighting` parses a loss weighting (hello.ts's parser). */
export function parseTrainingDeclaration(
  bad: Bad, op: TrainingOpName, d: Record<string, unknown>, weighting: (v: unknown, field: string) => Weighting,
): TrainingDeclaredOps[TrainingOpName] {
  const f = `ops.${op}`;
  const reduction = () => oneOf(bad, `${f}.reduction`, d.reduction ?? 'mean', ['mean', 'sum'] as const);
  switch (op) {
    case 'loss_grad': {
      const h = d.hybrid;
      if (h !== undefined && !isObject(h)) bad(`${f}.hybrid`, h, 'must be {vlb_weight, decoder, units?}');
      const hybrid = isObject(h) ? { vlb_weight: finitePositive(bad, `${f}.hybrid.vlb_weight`, h.vlb_weight), decoder: decoder(bad, `${f}.hybrid.decoder`, h.decoder), units: units(bad, `${f}.hybrid.units`, h.units) } : undefined;
      const v = variance(bad, `${f}.variance`, d.variance);
      if (hybrid && v.kind !== 'learned_range' && v.kind !== 'learned') bad(`${f}.variance`, d.variance, 'the hybrid objective trains a learned variance (learned_range or learned)');
      return {
        weighting: weighting(d.weighting ?? { kind: 'unit' }, `${f}.weighting`),
        reduction: reduction(),
        batch_reduction: oneOf(bad, `${f}.batch_reduction`, d.batch_reduction ?? 'mean', ['mean', 'sum'] as const),
        variance: v,
        hybrid,
      };
    }
    case 'vlb_terms':
      return { variance: variance(bad, `${f}.variance`, d.variance), decoder: decoder(bad, `${f}.decoder`, d.decoder), units: units(bad, `${f}.units`, d.units) };
    case 'vlb_prior':
      return { units: units(bad, `${f}.units`, d.units) };
    case 'timestep_sampler': {
      oneOf(bad, `${f}.kind`, d.kind, TIMESTEP_SAMPLER_KINDS);
      return d as unknown as TimestepSamplerSpec; // fields are validated against T once the schedule is known
    }
    case 'loss_input_grad':
      return { weighting: weighting(d.weighting ?? { kind: 'unit' }, `${f}.weighting`), reduction: reduction() };
    case 'sds_grad': {
      const w = d.weighting ?? { kind: 'one_minus_alpha_bar' };
      const sw: SdsWeighting = isObject(w) && w.kind === 'one_minus_alpha_bar' ? { kind: 'one_minus_alpha_bar' } : weighting(w, `${f}.weighting`);
      return { gradient: oneOf(bad, `${f}.gradient`, d.gradient, ['sds', 'full'] as const), weighting: sw, reduction: reduction() };
    }
  }
}
