import { describe, expect, it } from 'vitest';
import { parseHello } from './hello.ts';

/*
 * The flow section of a hello (docs/protocol.md §9): the defaults a declaration gets, and every
 * malformed field rejected with its name and the reason.
 */
const hello = (ops: Record<string, unknown>, flow?: unknown) => parseHello({ protocol_version: 1, name: 'x', ops, ...(flow === undefined ? {} : { flow }) });

describe('flow hello: defaults', () => {
  it('the path: absent or "rectified" in either form is rectified flow; ot and icfm keep their parameter', () => {
    expect(hello({ flow_interpolate: {} }).flow?.path).toEqual({ kind: 'rectified' });
    expect(hello({ flow_interpolate: {} }, { path: 'rectified' }).flow?.path).toEqual({ kind: 'rectified' });
    expect(hello({ flow_interpolate: {} }, { path: { kind: 'rectified' } }).flow?.path).toEqual({ kind: 'rectified' });
    expect(hello({ flow_interpolate: {} }, {}).flow?.path).toEqual({ kind: 'rectified' });
    expect(hello({ flow_interpolate: {} }, { path: { kind: 'ot', sigma_min: 0.01 } }).flow?.path).toEqual({ kind: 'ot', sigmaMin: 0.01 });
    expect(hello({ flow_interpolate: {} }, { path: { kind: 'icfm', sigma: 0.1 } }).flow?.path).toEqual({ kind: 'icfm', sigma: 0.1 });
  });

  it('losses: velocity prediction, target = the prediction, no weighting, mean; the gradient\'s batch reduction mean', () => {
    const h = hello({ flow_loss: {}, flow_loss_grad: { prediction: 'x0', batch_reduction: 'sum', network_time: { scale: 1000 } } });
    expect(h.ops.flow_loss).toEqual({ prediction: 'velocity', target: 'velocity', weighting: { kind: 'none' }, reduction: 'mean' });
    expect(h.ops.flow_loss_grad).toEqual({ prediction: 'x0', target: 'x0', weighting: { kind: 'none' }, reduction: 'mean', network_time: { scale: 1000 }, batch_reduction: 'sum' });
    expect(hello({ flow_loss_grad: {} }).ops.flow_loss_grad).toMatchObject({ batch_reduction: 'mean' });
    expect(hello({ flow_loss: { target: 'eps', weighting: { kind: 'cosmap' }, reduction: 'sum' } }).ops.flow_loss).toEqual({ prediction: 'velocity', target: 'eps', weighting: { kind: 'cosmap' }, reduction: 'sum' });
  });

  it('time laws: logit-normal (0, 1), mode scale 1.29, shift 1, a table descending unless declared', () => {
    expect(hello({ flow_timestep_sampler: { kind: 'logit_normal' } }).ops.flow_timestep_sampler).toEqual({ base: { kind: 'logit_normal', loc: 0, scale: 1 }, shift: 1 });
    expect(hello({ flow_timestep_sampler: { kind: 'mode' } }).ops.flow_timestep_sampler).toEqual({ base: { kind: 'mode', scale: 1.29 }, shift: 1 });
    expect(hello({ flow_timestep_sampler: { kind: 'logit_normal', loc: 0.5, scale: 2, shift: 3 } }).ops.flow_timestep_sampler).toEqual({ base: { kind: 'logit_normal', loc: 0.5, scale: 2 }, shift: 3 });
    expect(hello({ flow_timestep_sampler: { kind: 'cosmap', num_train_timesteps: 1000 } }).ops.flow_timestep_sampler).toEqual({ base: { kind: 'cosmap' }, shift: 1, discretization: { numTrainTimesteps: 1000, table: 'descending' } });
    expect(hello({ flow_timestep_sampler: { kind: 'uniform', num_train_timesteps: 50, table: 'ascending' } }).ops.flow_timestep_sampler).toMatchObject({ discretization: { numTrainTimesteps: 50, table: 'ascending' } });
  });
});

describe('flow hello: malformed fields are named', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['flow not an object', () => hello({ flow_interpolate: {} }, 5), /flow\b.*must be an object \{path\}/],
    ['path neither a name nor an object', () => hello({ flow_interpolate: {} }, { path: 'ot' }), /flow\.path\b.*must be "rectified", \{"kind": "ot"/],
    ['unknown path kind', () => hello({ flow_interpolate: {} }, { path: { kind: 'vp' } }), /flow\.path\.kind/],
    ['σ_min outside [0, 1)', () => hello({ flow_interpolate: {} }, { path: { kind: 'ot', sigma_min: 1.5 } }), /flow\.path/],
    ['icfm with an x0 prediction', () => hello({ flow_loss: { prediction: 'x0' } }, { path: { kind: 'icfm', sigma: 0.1 } }), /ops\.flow_loss\.prediction.*icfm path/],
    ['icfm with an eps target', () => hello({ flow_loss: { target: 'eps' } }, { path: { kind: 'icfm', sigma: 0.1 } }), /ops\.flow_loss\.prediction.*velocity prediction and target only/],
    ['unknown prediction', () => hello({ flow_loss: { prediction: 'score' } }), /ops\.flow_loss\.prediction/],
    ['unknown target', () => hello({ flow_loss: { target: 'score' } }), /ops\.flow_loss\.target/],
    ['weighting not an object', () => hello({ flow_loss: { weighting: 'none' } }), /ops\.flow_loss\.weighting\b.*must be \{kind: none \| sigma_sqrt \| cosmap\}/],
    ['unknown weighting', () => hello({ flow_loss: { weighting: { kind: 'snr' } } }), /ops\.flow_loss\.weighting\.kind/],
    ['unknown reduction', () => hello({ flow_loss: { reduction: 'avg' } }), /ops\.flow_loss\.reduction/],
    ['network time scale 0', () => hello({ flow_loss: { network_time: { scale: 0 } } }), /ops\.flow_loss\.network_time\b.*finite number > 0/],
    ['network time scale infinite', () => hello({ flow_loss: { network_time: { scale: Infinity } } }), /ops\.flow_loss\.network_time/],
    ['network time scale a string', () => hello({ flow_loss: { network_time: { scale: '1000' } } }), /ops\.flow_loss\.network_time/],
    ['network time not an object', () => hello({ flow_loss: { network_time: 1000 } }), /ops\.flow_loss\.network_time/],
    ['unknown batch reduction', () => hello({ flow_loss_grad: { batch_reduction: 'avg' } }), /ops\.flow_loss_grad\.batch_reduction/],
    ['unknown time law', () => hello({ flow_timestep_sampler: { kind: 'beta' } }), /ops\.flow_timestep_sampler\.kind/],
    ['mode scale out of range', () => hello({ flow_timestep_sampler: { kind: 'mode', scale: 3 } }), /ops\.flow_timestep_sampler/],
  ];
  for (const [label, f, re] of cases) it(label, () => expect(f).toThrow(re));
});
