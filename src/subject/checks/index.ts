import { addNoiseCheck } from './addNoiseCheck.ts';
import type { SubjectCheck } from './checkDefinition.ts';
import { lossDsmCheck } from './lossDsmCheck.ts';
import { lossGradientCheck } from './lossGradientCheck.ts';
import { posteriorCheck } from './posteriorCheck.ts';
import { qSampleCheck } from './qSampleCheck.ts';
import { stepCheck } from './stepCheck.ts';
import { zeroShotCheck } from './zeroShotCheck.ts';
import { TRAINING_CHECKS } from './training/index.ts';

export * from './checkDefinition.ts';
export { addNoiseCheck, lossDsmCheck, lossGradientCheck, posteriorCheck, qSampleCheck, stepCheck, zeroShotCheck };
export { TRAINING_CHECKS } from './training/index.ts';
// issue 19: flow matching (run by runSubjectChecks without the schedule)
export { FLOW_CHECKS, type FlowCheckContext } from './flow/index.ts';

/** Every check after the schedule's, in the order they run. */
export const SUBJECT_CHECKS: readonly SubjectCheck<any>[] = [
  addNoiseCheck,
  qSampleCheck,
  posteriorCheck,
  lossDsmCheck,
  lossGradientCheck,
  stepCheck,
  zeroShotCheck,
  // issue 16: schedules by name, gradients, the bound's terms, the timestep sampler, input optimization
  ...TRAINING_CHECKS,
];

