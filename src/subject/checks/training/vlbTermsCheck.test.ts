import { describe, expect, it } from 'vitest';
import { createTrainingSubject } from '../../../../examples/reference-training.mjs';
import type { CheckEnv } from '../../../engine/property.ts';
import { eightBitValue } from '../../../theory/discretizedGaussian.ts';
import { ModuleSubject } from '../../moduleSubject.ts';
import { RTOL } from '../../subjectChecks.ts';
import { fetchSchedule } from '../../subjectSchedule.ts';
import type { CheckContext } from '../checkDefinition.ts';
import { vlbTermsCheck } from './vlbTermsCheck.ts';

/*
 * vlb_terms.exact's diagnosis of the decoder's normal CDF: the JS reference computes the 8-bit
 * decoder with the tanh approximation of Φ (improved-diffusion's approx_standard_normal_cdf). Declared
 * honestly it holds; declared `cdf: "exact"` it must fail at the decoder step (internal t = 1, where
 * the CDF enters) with the note naming the tanh-approximated CDF — and hold at any other step, where
 * the term is a Gaussian KL that never evaluates Φ.
 */
const env: CheckEnv = { falseAlarm: 1e-6, replicate: 0 };

async function contextFor(cdf: 'tanh_approx' | 'exact'): Promise<CheckContext> {
  const ref = createTrainingSubject() as unknown as { hello: { ops: Record<string, any> } } & Record<string, unknown>;
  const hello = structuredClone(ref.hello);
  hello.ops.vlb_terms.decoder.cdf = cdf;
  const subject = await ModuleSubject.fromObject({ ...ref, hello }, `cdf ${cdf}`);
  return { subject, hello: subject.hello, schedule: await fetchSchedule(subject), rtol: RTOL.float64 };
}

const caseAt = (t: number) => ({
  d: 2,
  samples: [{ x0: [eightBitValue(128), eightBitValue(3)], xt: [0.25, -0.5], t }],
  // mean head (2 rows) and learned-range variance head (2 rows)
  model: { W: [[0.25, 0], [0, 0.5], [0.05, 0], [0, -0.05]], b: [0.1, -0.1, 0.2, -0.3] },
});

describe('vlb_terms.exact: the decoder CDF', () => {
  it('declared as computed (tanh approximation): holds at the decoder step', async () => {
    const o = await vlbTermsCheck.run(await contextFor('tanh_approx'), caseAt(1), env);
    expect(o.holds).toBe(true);
  });

  it('declared exact, computed with tanh: fails at t = 1 and names the tanh-approximated CDF', async () => {
    const o = await vlbTermsCheck.run(await contextFor('exact'), caseAt(1), env);
    expect(o.holds).toBe(false);
    expect(o.note).toMatch(/^sample 0 \(subject t = 0, the decoder term\): got .*; it matches the decoder with the tanh-approximated normal CDF$/);
  });

  it('declared exact, computed with tanh: holds at t = 2 (a Gaussian KL: no CDF)', async () => {
    const o = await vlbTermsCheck.run(await contextFor('exact'), caseAt(2), env);
    expect(o.holds).toBe(true);
  });
});
