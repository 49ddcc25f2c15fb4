import type { FlowPathSpec } from '../theory/flowPath.ts';
import { FLOW_TIME_BASE_KINDS, type FlowTimeBase, type FlowTimeLaw } from '../theory/flowTimeLaw.ts';
import { FLOW_LOSS_WEIGHTINGS, FLOW_QUANTITIES, type FlowLossWeighting, type FlowQuantity } from '../theory/flowTrainingLoss.ts';
import { DEFAULT_FLOW_TIMES, type FlowBiasSetting, requireFlowBiasSetting } from './flowColumns.ts';

/*
 * The `flow` section of a bias spec (docs/bias-spec.md, "Flow matching"):
 *   { "path": "rectified" | {"kind": "ot", "sigma_min": σ} | {"kind": "icfm", "sigma": σ},
 *     "times": [t…] | {"count": n},             (default 0, 0.05, …, 1)
 *     "time_law": {"kind": "logit_normal", "loc": 0, "scale": 1, "shift": 3, "num_train_timesteps": 1000, "table": "descending"},
 *     "weighting": "none" | "sigma_sqrt" | "cosmap",
 *     "target": "velocity" | "x0" | "eps" }
 * — the same words as a subject's hello (docs/protocol.md §9). Every problem names its field.
 */
type Fail = (field: string, detail: string) => never;
const KEYS = ['path', 'times', 'time_law', 'weighting', 'target'];

function oneOf<T extends string>(v: unknown, field: string, allowed: readonly T[], fail: Fail): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) fail(field, `must be one of ${allowed.join(', ')} (got ${JSON.stringify(v)})`);
  return v as T;
}

function parsePath(v: unknown, fail: Fail): FlowPathSpec {
  if (v === undefined || v === 'rectified') return { kind: 'rectified' };
  if (typeof v !== 'object' || v === null) return fail('flow.path', `must be "rectified" or an object with a kind (got ${JSON.stringify(v)})`);
  const o = v as Record<string, unknown>;
  const kind = oneOf(o.kind, 'flow.path.kind', ['rectified', 'ot', 'icfm'] as const, fail);
  if (kind === 'rectified') return { kind };
  const key = kind === 'ot' ? 'sigma_min' : 'sigma';
  if (typeof o[key] !== 'number') fail(`flow.path.${key}`, `must be a number (got ${JSON.stringify(o[key])})`);
  return kind === 'ot' ? { kind, sigmaMin: o.sigma_min as number } : { kind, sigma: o.sigma as number };
}

function parseTimes(v: unknown, fail: Fail): number[] {
  if (v === undefined) return [...DEFAULT_FLOW_TIMES];
  if (Array.isArray(v)) return v as number[];
  if (typeof v === 'object' && v !== null && typeof (v as { count?: unknown }).count === 'number') {
    const n = (v as { count: number }).count;
    if (!Number.isInteger(n) || n < 2 || n > 100000) fail('flow.times.count', `must be an integer in [2, 100000] (got ${n})`);
    return Array.from({ length: n }, (_, i) => i / (n - 1));
  }
  return fail('flow.times', `must be a list of times in [0, 1] or {"count": n} (got ${JSON.stringify(v)})`);
}

function parseLaw(v: unknown, fail: Fail): FlowTimeLaw {
  if (v === undefined) return { base: { kind: 'uniform' }, shift: 1 };
  if (typeof v !== 'object' || v === null) return fail('flow.time_law', `must be an object with a kind (got ${JSON.stringify(v)})`);
  const o = v as Record<string, unknown>;
  const kind = oneOf(o.kind, 'flow.time_law.kind', FLOW_TIME_BASE_KINDS, fail);
  const base: FlowTimeBase = kind === 'logit_normal' ? { kind, loc: (o.loc ?? 0) as number, scale: (o.scale ?? 1) as number } : kind === 'mode' ? { kind, scale: (o.scale ?? 1.29) as number } : { kind };
  return {
    base,
    shift: (o.shift ?? 1) as number,
    ...(o.num_train_timesteps !== undefined ? { discretization: { numTrainTimesteps: o.num_train_timesteps as number, table: (o.table ?? 'descending') as 'descending' | 'ascending' } } : {}),
  };
}

export function parseFlowBiasSpec(v: unknown, fail: Fail, wrap: <T>(f: () => T) => T): FlowBiasSetting {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail('flow', `must be an object (got ${JSON.stringify(v)})`);
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KEYS.includes(k)) fail(`flow.${k}`, `unknown key (expected ${KEYS.join(', ')})`);
  const setting: FlowBiasSetting = {
    path: parsePath(o.path, fail),
    times: parseTimes(o.times, fail),
    law: parseLaw(o.time_law, fail),
    weighting: { kind: oneOf(o.weighting ?? 'none', 'flow.weighting', FLOW_LOSS_WEIGHTINGS, fail) } as FlowLossWeighting,
    target: oneOf(o.target ?? 'velocity', 'flow.target', FLOW_QUANTITIES, fail) as FlowQuantity,
  };
  return wrap(() => requireFlowBiasSetting(setting, 'flow'));
}
