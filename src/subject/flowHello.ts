import { type FlowPathSpec, requireFlowPath } from '../theory/flowPath.ts';
import { FLOW_TIME_BASE_KINDS, type FlowTimeBase, type FlowTimeLaw, requireFlowTimeLaw } from '../theory/flowTimeLaw.ts';
import { FLOW_LOSS_WEIGHTINGS, FLOW_QUANTITIES, type FlowLossWeighting } from '../theory/flowTrainingLoss.ts';
import type { FlowDeclaredOps, FlowHello, FlowLossDeclaration, FlowOpName } from './flowProtocol.ts';
import { type Bad, guarded, isObject, oneOf } from './trainingHello.ts';

/*
 * Parsing the flow-matching section of a hello (docs/protocol.md §9): `flow.path` and the flow ops'
 * declarations. Every problem is reported through `bad(field, value, reason)` (a handshake error).
 */

/** `flow`: {path: "rectified" | {kind: "ot", sigma_min} | {kind: "icfm", sigma}}; absent: rectified flow. */
export function parseFlowHello(bad: Bad, raw: unknown): FlowHello {
  if (raw === undefined) return { path: { kind: 'rectified' } };
  if (!isObject(raw)) return bad('flow', raw, 'must be an object {path}');
  const p = raw.path ?? 'rectified';
  if (p === 'rectified' || (isObject(p) && p.kind === 'rectified')) return { path: { kind: 'rectified' } };
  if (!isObject(p)) return bad('flow.path', p, 'must be "rectified", {"kind": "ot", "sigma_min": σ} or {"kind": "icfm", "sigma": σ}');
  const kind = oneOf(bad, 'flow.path.kind', p.kind, ['rectified', 'ot', 'icfm'] as const);
  const spec: FlowPathSpec = kind === 'ot' ? { kind, sigmaMin: p.sigma_min as number } : { kind: 'icfm', sigma: p.sigma as number };
  return { path: guarded(bad, 'flow.path', p, () => requireFlowPath(spec, 'flow.path')) };
}

function lossDeclaration(bad: Bad, f: string, d: Record<string, unknown>, path: FlowPathSpec, withBatch: boolean): FlowLossDeclaration {
  const prediction = oneOf(bad, `${f}.prediction`, d.prediction ?? 'velocity', FLOW_QUANTITIES);
  const target = oneOf(bad, `${f}.target`, d.target ?? prediction, FLOW_QUANTITIES);
  if (path.kind === 'icfm' && (prediction !== 'velocity' || target !== 'velocity')) bad(`${f}.prediction`, prediction, 'the icfm path (extra noise) supports velocity prediction and target only');
  const w = d.weighting ?? { kind: 'none' };
  if (!isObject(w)) bad(`${f}.weighting`, w, 'must be {kind: none | sigma_sqrt | cosmap}');
  const weighting: FlowLossWeighting = { kind: oneOf(bad, `${f}.weighting.kind`, (w as Record<string, unknown>).kind, FLOW_LOSS_WEIGHTINGS) };
  const reduction = oneOf(bad, `${f}.reduction`, d.reduction ?? 'mean', ['mean', 'sum'] as const);
  let network_time: FlowLossDeclaration['network_time'];
  if (d.network_time !== undefined) {
    const nt = d.network_time;
    if (!isObject(nt) || typeof nt.scale !== 'number' || !Number.isFinite(nt.scale) || !(nt.scale > 0)) bad(`${f}.network_time`, nt, 'must be {scale: a finite number > 0} (the network sees τ = scale·t)');
    network_time = { scale: (nt as { scale: number }).scale };
  }
  const out: FlowLossDeclaration = { prediction, target, weighting, reduction, ...(network_time ? { network_time } : {}) };
  return withBatch ? { ...out, batch_reduction: oneOf(bad, `${f}.batch_reduction`, d.batch_reduction ?? 'mean', ['mean', 'sum'] as const) } : out;
}

/** `ops.flow_timestep_sampler`: {kind, loc/scale (logit_normal), scale (mode), shift?, num_train_timesteps?, table?}. */
function timeLaw(bad: Bad, f: string, d: Record<string, unknown>): FlowTimeLaw {
  const kind = oneOf(bad, `${f}.kind`, d.kind, FLOW_TIME_BASE_KINDS);
  const base: FlowTimeBase = kind === 'logit_normal' ? { kind, loc: (d.loc ?? 0) as number, scale: (d.scale ?? 1) as number } : kind === 'mode' ? { kind, scale: (d.scale ?? 1.29) as number } : { kind };
  const law: FlowTimeLaw = {
    base,
    shift: (d.shift ?? 1) as number,
    ...(d.num_train_timesteps !== undefined ? { discretization: { numTrainTimesteps: d.num_train_timesteps as number, table: (d.table ?? 'descending') as 'descending' | 'ascending' } } : {}),
  };
  return guarded(bad, f, d, () => requireFlowTimeLaw(law, f));
}

/** One flow op's declaration. */
export function parseFlowDeclaration(bad: Bad, op: FlowOpName, d: Record<string, unknown>, flow: FlowHello): FlowDeclaredOps[FlowOpName] {
  const f = `ops.${op}`;
  switch (op) {
    case 'flow_interpolate':
      return {};
    case 'flow_loss':
      return lossDeclaration(bad, f, d, flow.path, false);
    case 'flow_loss_grad':
      return lossDeclaration(bad, f, d, flow.path, true) as FlowDeclaredOps['flow_loss_grad'];
    case 'flow_timestep_sampler':
      return timeLaw(bad, f, d);
  }
}
