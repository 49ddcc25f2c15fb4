import { FalseAlarmPlan, RUN_FALSE_ALARM } from '../src/engine/falseAlarmPlan.ts';
import { type PropertyRun, runProperty } from '../src/engine/runProperty.ts';
import { MemoryStore } from '../src/engine/store/exampleStore.ts';
import type { Property } from '../src/engine/property.ts';
import { SubjectFatalError } from '../src/subject/subjectError.ts';
import type { Subject } from '../src/subject/subject.ts';
import { samplerCheckContext, samplerProperties } from '../src/subject/checks/sampler/index.ts';

/**
 * Runs the sampler checks of one subject through the engine (until `check` wires them in):
 * one false-alarm plan over the selection, an in-memory store, fatal subject errors end a run.
 */
export async function runSamplerChecks(subject: Subject, opts: { seed: number; runs?: number; only?: (p: Property) => boolean; bail?: boolean }): Promise<PropertyRun[]> {
  const ctx = await samplerCheckContext(subject);
  const props = samplerProperties(ctx).filter(opts.only ?? (() => true));
  const plan = new FalseAlarmPlan(RUN_FALSE_ALARM, props.map((p) => ({ id: p.id, assertionsPerCase: p.assertionsPerCase, runs: opts.runs ?? p.defaultRuns })));
  const store = new MemoryStore();
  const out: PropertyRun[] = [];
  for (const p of props) {
    const r = await runProperty(p, { seed: opts.seed, runs: opts.runs, falseAlarm: plan, store, isFatal: (e) => e instanceof SubjectFatalError });
    out.push(r);
    if (opts.bail && r.finding !== 'holds') break;
  }
  return out;
}
