import { describe, expect, it } from 'vitest';
import { parseHello } from './hello.ts';

/*
 * The training ops' declarations in a hello (docs/protocol.md §7): the defaults each gets, and every
 * malformed field rejected with its name and the reason.
 */
const hello = (ops: Record<string, unknown>, extra: Record<string, unknown> = {}) => parseHello({ protocol_version: 1, name: 'x', parameterization: 'eps', ops, ...extra });
const hybrid = { vlb_weight: 0.001, decoder: { kind: 'discretized_gaussian', cdf: 'tanh_approx' } };

describe('training hello: defaults', () => {
  it('loss_grad: unit weighting, mean reductions, fixed-small variance, no hybrid; a hybrid gets bits per dimension', () => {
    expect(hello({ loss_grad: {} }).ops.loss_grad).toMatchObject({ reduction: 'mean', batch_reduction: 'mean', variance: { kind: 'fixed_small' }, hybrid: undefined });
    const h = hello({ loss_grad: { variance: { kind: 'learned_range' }, hybrid, reduction: 'sum', batch_reduction: 'sum' } }).ops.loss_grad;
    expect(h).toMatchObject({ reduction: 'sum', batch_reduction: 'sum', variance: { kind: 'learned_range' }, hybrid: { vlb_weight: 0.001, decoder: { kind: 'discretized_gaussian', cdf: 'tanh_approx' }, units: 'bits_per_dim' } });
    expect(hello({ loss_grad: { variance: { kind: 'learned' }, hybrid: { ...hybrid, units: 'nats', decoder: { kind: 'gaussian' } } } }).ops.loss_grad).toMatchObject({ hybrid: { decoder: { kind: 'gaussian' }, units: 'nats' } });
  });

  it('vlb_terms / vlb_prior units default to bits per dimension; sds_grad weighting 1 − ᾱ and mean', () => {
    expect(hello({ vlb_terms: { decoder: { kind: 'gaussian' } } }).ops.vlb_terms).toEqual({ variance: { kind: 'fixed_small' }, decoder: { kind: 'gaussian' }, units: 'bits_per_dim' });
    expect(hello({ vlb_prior: {} }).ops.vlb_prior).toEqual({ units: 'bits_per_dim' });
    expect(hello({ vlb_prior: { units: 'nats' } }).ops.vlb_prior).toEqual({ units: 'nats' });
    expect(hello({ sds_grad: { gradient: 'full' } }).ops.sds_grad).toEqual({ gradient: 'full', weighting: { kind: 'one_minus_alpha_bar' }, reduction: 'mean' });
    expect(hello({ loss_input_grad: { reduction: 'sum' } }).ops.loss_input_grad).toMatchObject({ reduction: 'sum' });
    expect(hello({ timestep_sampler: { kind: 'uniform' } }).ops.timestep_sampler).toEqual({ kind: 'uniform' });
    expect(hello({ schedule: {} }).ops.schedule).toEqual({});
  });
});

describe('training hello: malformed fields are named', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['hybrid not an object', { loss_grad: { variance: { kind: 'learned_range' }, hybrid: 1 } }, /ops\.loss_grad\.hybrid\b.*must be \{vlb_weight, decoder, units\?\}/],
    ['hybrid weight 0', { loss_grad: { variance: { kind: 'learned_range' }, hybrid: { ...hybrid, vlb_weight: 0 } } }, /ops\.loss_grad\.hybrid\.vlb_weight.*finite number > 0/],
    ['hybrid weight not a number', { loss_grad: { variance: { kind: 'learned_range' }, hybrid: { ...hybrid, vlb_weight: '1' } } }, /ops\.loss_grad\.hybrid\.vlb_weight/],
    ['hybrid weight infinite', { loss_grad: { variance: { kind: 'learned_range' }, hybrid: { ...hybrid, vlb_weight: Infinity } } }, /ops\.loss_grad\.hybrid\.vlb_weight/],
    ['hybrid decoder missing', { loss_grad: { variance: { kind: 'learned_range' }, hybrid: { vlb_weight: 1 } } }, /ops\.loss_grad\.hybrid\.decoder\b.*must be \{kind: "discretized_gaussian"/],
    ['hybrid decoder kind unknown', { loss_grad: { variance: { kind: 'learned_range' }, hybrid: { ...hybrid, decoder: { kind: 'logistic' } } } }, /ops\.loss_grad\.hybrid\.decoder\.kind/],
    ['hybrid decoder cdf unknown', { loss_grad: { variance: { kind: 'learned_range' }, hybrid: { ...hybrid, decoder: { kind: 'discretized_gaussian', cdf: 'erf' } } } }, /ops\.loss_grad\.hybrid\.decoder\.cdf/],
    ['hybrid units unknown', { loss_grad: { variance: { kind: 'learned_range' }, hybrid: { ...hybrid, units: 'bits' } } }, /ops\.loss_grad\.hybrid\.units/],
    ['hybrid with a fixed variance', { loss_grad: { hybrid } }, /ops\.loss_grad\.variance\b.*hybrid objective trains a learned variance/],
    ['unknown variance', { loss_grad: { variance: { kind: 'huge' } } }, /ops\.loss_grad\.variance/],
    ['unknown batch reduction', { loss_grad: { batch_reduction: 'avg' } }, /ops\.loss_grad\.batch_reduction/],
    ['unknown reduction', { loss_input_grad: { reduction: 'avg' } }, /ops\.loss_input_grad\.reduction/],
    ['unknown input-gradient weighting', { loss_input_grad: { weighting: { kind: 'snr_cubed' } } }, /ops\.loss_input_grad\.weighting/],
    ['unknown loss_grad weighting', { loss_grad: { weighting: { kind: 'snr_cubed' } } }, /ops\.loss_grad\.weighting/],
    ['vlb decoder unknown', { vlb_terms: { decoder: { kind: 'discretized_gaussian' } } }, /ops\.vlb_terms\.decoder\.cdf/],
    ['vlb units unknown', { vlb_prior: { units: 'bpd' } }, /ops\.vlb_prior\.units.*must be one of nats, bits_per_dim/],
    ['sampler kind unknown', { timestep_sampler: { kind: 'beta' } }, /ops\.timestep_sampler\.kind/],
    ['sds gradient unknown', { sds_grad: { gradient: 'vsd' } }, /ops\.sds_grad\.gradient/],
    ['sds weighting unknown', { sds_grad: { gradient: 'sds', weighting: { kind: 'alpha_bar_squared' } } }, /ops\.sds_grad\.weighting/],
    ['named schedule unknown', { schedule: { named: { kind: 'sigmoid', T: 10 } } }, /ops\.schedule\.named/],
  ];
  for (const [label, ops, re] of cases) it(label, () => expect(() => hello(ops)).toThrow(re));
});
