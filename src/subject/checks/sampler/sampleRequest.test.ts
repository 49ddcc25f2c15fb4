import { describe, expect, it } from 'vitest';
import { trainingTable } from '../../../diffusion/samplers/index.ts';
import { explicitList, requestFor } from './samplerCheckContext.ts';
import { isStochastic, typicalTauGap } from './sampleRequest.ts';
import { SAMPLER_CHECK_IDS, samplerCheckFamily, samplerCheckId } from './samplerCheckId.ts';

/* Small pure pieces of the sampler checks, each against a hand-computed answer or an invariant. */
describe('typicalTauGap: the median non-zero gap', () => {
  it('median of the sorted gaps (upper median for an even count); repeated τ ignored; none → 1', () => {
    expect(typicalTauGap([999, 979, 959, 939])).toBe(20);
    expect(typicalTauGap([10, 9, 7, 3])).toBe(2); // gaps 1, 2, 4
    expect(typicalTauGap([0, 1, 3, 6, 10])).toBe(3); // gaps 1, 2, 3, 4 → index 2
    expect(typicalTauGap([5, 5, 5, 2])).toBe(3); // Heun repeats τ: zero gaps dropped
    expect(typicalTauGap([5, 5])).toBe(1);
    expect(typicalTauGap([7])).toBe(1);
  });
});

describe('isStochastic', () => {
  it('DDPM always, DDIM unless η is declared 0, deterministic families never', () => {
    expect(isStochastic({ family: 'ddpm' } as never)).toBe(true);
    expect(isStochastic({ family: 'ddim', eta: 0 } as never)).toBe(false);
    expect(isStochastic({ family: 'ddim', eta: 1 } as never)).toBe(true);
    expect(isStochastic({ family: 'ddim', eta: 'request' } as never)).toBe(true);
    expect(isStochastic({ family: 'euler' } as never)).toBe(false);
  });
});

describe('explicitList: n distinct training timesteps, descending, the last one always included', () => {
  const table = trainingTable(Array.from({ length: 50 }, (_, i) => Math.cos((((i + 1) / 51) * Math.PI) / 2) ** 2), 1);
  it('every n ≤ T: the invariants; n ≥ T gives the whole table', () => {
    for (const n of [1, 2, 7, 49, 50, 80]) {
      const l = explicitList(table, n, 12345);
      expect(l).toHaveLength(Math.min(n, 50));
      expect(new Set(l).size).toBe(l.length);
      expect(l[0]).toBe(50); // T − 1 + t_base
      for (let i = 1; i < l.length; i++) expect(l[i]).toBeLessThan(l[i - 1]);
      expect(l[l.length - 1]).toBeGreaterThanOrEqual(1);
    }
    expect(explicitList(table, 80, 3)).toEqual(Array.from({ length: 50 }, (_, i) => 50 - i));
  });
  it('seeded: the same seed the same list, another seed another list', () => {
    expect(explicitList(table, 10, 7)).toEqual(explicitList(table, 10, 7));
    expect(explicitList(table, 10, 7)).not.toEqual(explicitList(table, 10, 8));
  });
  it('requestFor: an explicit list only for an explicit spacing with a table; η only for DDIM declared "request"', () => {
    expect(requestFor({ family: 'ddim', eta: 'request', spacing: { kind: 'explicit' } } as never, table, 5, 9, 0.25)).toEqual({ numInferenceSteps: 5, eta: 0.25, timesteps: explicitList(table, 5, 9) });
    expect(requestFor({ family: 'ddim', eta: 0, spacing: { kind: 'explicit' } } as never, undefined, 5, 9)).toEqual({ numInferenceSteps: 5 });
    expect(requestFor({ family: 'ddim', eta: 'request', spacing: { kind: 'leading' } } as never, table, 4, 9)).toEqual({ numInferenceSteps: 4, eta: 0.5 });
    expect(requestFor({ family: 'euler' } as never, table, 3, 9)).toEqual({ numInferenceSteps: 3 });
  });
});

describe('samplerCheckId / samplerCheckFamily', () => {
  it('ids are <family>.<name> with runs of other characters replaced by one "-"; the family read back', () => {
    expect(samplerCheckId('sample.exact', 'ddim50')).toBe('sample.exact.ddim50');
    expect(samplerCheckId('sample.quality', 'k_dpm++ 2m/karras')).toBe('sample.quality.k_dpm++-2m-karras');
    expect(samplerCheckId('sample.image', 'a  b@c')).toBe('sample.image.a-b@c');
    for (const f of SAMPLER_CHECK_IDS) expect(samplerCheckFamily(samplerCheckId(f, 'x.y'))).toBe(f);
    expect(samplerCheckFamily('sample.exactly')).toBe('sample.exactly');
    expect(samplerCheckFamily('add_noise.exact')).toBe('add_noise.exact');
  });
});
