import fc from 'fast-check';
import { flowTime } from '../../../arbitraries/flowPath.ts';
import type { FlowObjective, FlowSample } from '../../../theory/flowTrainingLoss.ts';
import { flowObjectiveUndefinedAt } from '../../../theory/flowTrainingLoss.ts';
import type { FlowModel } from '../../flowProtocol.ts';
import { MAX_CASE_DIM, affineModel, batchOf, caseCoordinates, cut, cutModel, simpleVector } from '../caseArbitraries.ts';

/*
 * Case pieces of the flow checks: a batch of (x₀, ε, ξ, t) with coordinates selected together (so d
 * shrinks to 1 whichever coordinate shows a bug), t = k/1000 with the ends of its domain as corners and
 * t = ½ as the simplest value, and an affine network, time-aware when the subject declares network_time.
 */
export interface FlowBatchCase {
  readonly d: number;
  readonly samples: readonly (FlowSample & { readonly x0: number[]; readonly noise: number[]; readonly extraNoise: number[] })[];
}

export interface FlowModelCase extends FlowBatchCase {
  readonly model: FlowModel;
}

/** The closed time range on which the objective is defined (an end is dropped where it is not). */
export function definedTimeRange(obj: FlowObjective | undefined): [number, number] {
  if (!obj) return [0, 1];
  return [flowObjectiveUndefinedAt(obj, 0) ? 0.001 : 0, flowObjectiveUndefinedAt(obj, 1) ? 0.999 : 1];
}

const flowSample = (range: [number, number]) => fc.record({ x0: simpleVector(MAX_CASE_DIM), noise: simpleVector(MAX_CASE_DIM), extra: simpleVector(MAX_CASE_DIM), t: flowTime(range[0], range[1]) });

type RawSample = { x0: number[]; noise: number[]; extra: number[]; t: number };
const cutSamples = (samples: readonly RawSample[], coords: readonly number[]) =>
  samples.map((s) => ({ x0: cut(s.x0, coords), noise: cut(s.noise, coords), extraNoise: cut(s.extra, coords), t: s.t }));

export function flowBatchCase(range: [number, number] = [0, 1]): fc.Arbitrary<FlowBatchCase> {
  return fc.record({ coords: caseCoordinates(), samples: batchOf(flowSample(range)) }).map(({ coords, samples }) => ({ d: coords.length, samples: cutSamples(samples, coords) }));
}

/**
 * A batch and a network F = (W + τW_time)x + b + τb_time; with a time scale the time part's entries are
 * on a grid of 1/(4·scale), so τW_time = t·(a grid matrix) stays O(1).
 */
export function flowModelCase(range: [number, number], timeScale: number | undefined): fc.Arbitrary<FlowModelCase> {
  const timePart = timeScale === undefined ? fc.constant(undefined) : affineModel(MAX_CASE_DIM);
  return fc.record({ coords: caseCoordinates(), samples: batchOf(flowSample(range)), model: affineModel(MAX_CASE_DIM), time: timePart }).map(({ coords, samples, model, time }) => {
    const m = cutModel(model, coords);
    const net: FlowModel = { W: m.W, b: m.b };
    const base = { d: coords.length, samples: cutSamples(samples, coords) };
    if (!time || timeScale === undefined) return { ...base, model: net };
    const tm = cutModel(time, coords);
    return { ...base, model: { ...net, W_time: tm.W.map((r) => r.map((v) => v / timeScale)), b_time: tm.b.map((v) => v / timeScale) } };
  });
}
