import { addNoiseCheck } from './addNoiseCheck.ts';
import type { SubjectCheck } from './checkDefinition.ts';
import { lossDsmCheck } from './lossDsmCheck.ts';
import { lossGradientCheck } from './lossGradientCheck.ts';
import { posteriorCheck } from './posteriorCheck.ts';
import { qSampleCheck } from './qSampleCheck.ts';
import { stepCheck } from './stepCheck.ts';
import { zeroShotCheck } from './zeroShotCheck.ts';

export * from './checkDefinition.ts';
export { addNoiseCheck, lossDsmCheck, lossGradientCheck, posteriorCheck, qSampleCheck, stepCheck, zeroShotCheck };

/** Every check after the schedule's, in the order they run. */
export const SUBJECT_CHECKS: readonly SubjectCheck<any>[] = [
  addNoiseCheck,
  qSampleCheck,
  posteriorCheck,
  lossDsmCheck,
  lossGradientCheck,
  stepCheck,
  zeroShotCheck,
];

