import { describe, expect, it } from 'vitest';
import { createTrainingSubject } from '../../../../examples/reference-training.mjs';
import type { CheckEnv } from '../../../engine/property.ts';
import { ModuleSubject } from '../../moduleSubject.ts';
import { RTOL } from '../../subjectChecks.ts';
import { fetchSchedule } from '../../subjectSchedule.ts';
import type { CheckContext } from '../checkDefinition.ts';
import { scheduleNamedCheck } from './scheduleNamedCheck.ts';

/*
 * schedule.named on the JS reference (cosine, T = 50) and on the same table with one defect: a
 * missing last entry (the report says how many entries came), or one entry off by 1e-3 relative
 * (the report points at that entry and shows its value).
 */
const env: CheckEnv = { falseAlarm: 1e-6, replicate: 0 };

async function contextFor(patch: (ab: number[]) => number[] = (ab) => ab): Promise<CheckContext> {
  const ref = createTrainingSubject() as unknown as Record<string, any>;
  const subject = await ModuleSubject.fromObject({
    ...ref,
    schedule: () => {
      const r = structuredClone(ref.schedule());
      return { ...r, alpha_bar: patch(r.alpha_bar) };
    },
  }, 'schedule');
  return { subject, hello: subject.hello, schedule: await fetchSchedule(subject), rtol: RTOL.float64 };
}

describe('schedule.named: what the report shows', () => {
  it('the reference table matches', async () => {
    const o = await scheduleNamedCheck.run(await contextFor(), null, env);
    expect(o.holds).toBe(true);
    expect((o.got as { verdict: string }).verdict).toBe('match');
  });

  it('a table one entry short: the verdict "length" and the number of entries received', async () => {
    const o = await scheduleNamedCheck.run(await contextFor((ab) => ab.slice(0, -1)), null, env);
    expect(o.holds).toBe(false);
    expect(o.got).toEqual({ verdict: 'length', entries: 49 });
  });

  it('one entry off by 1e-3 relative: the entry and its value as received', async () => {
    let bad = NaN;
    const o = await scheduleNamedCheck.run(await contextFor((ab) => { ab[17] *= 1 + 1e-3; bad = ab[17]; return ab; }), null, env);
    expect(o.holds).toBe(false);
    expect(o.got).toMatchObject({ entry: 17, value: bad });
    expect((o.got as { verdict: string }).verdict).not.toBe('match');
  });
});
