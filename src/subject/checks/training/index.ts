import type { SubjectCheck } from '../checkDefinition.ts';
import { lossGradCheck } from './lossGradCheck.ts';
import { lossInputGradCheck } from './lossInputGradCheck.ts';
import { inputOptimizationCheck } from './inputOptimizationCheck.ts';
import { scheduleNamedCheck } from './scheduleNamedCheck.ts';
import { sdsGradCheck } from './sdsGradCheck.ts';
import { sdsCollapseCheck } from './sdsCollapseCheck.ts';
import { timestepSamplerCheck } from './timestepSamplerCheck.ts';
import { vlbPriorCheck } from './vlbPriorCheck.ts';
import { vlbTermsCheck } from './vlbTermsCheck.ts';

export { inputOptimizationCheck, lossGradCheck, lossInputGradCheck, scheduleNamedCheck, sdsCollapseCheck, sdsGradCheck, timestepSamplerCheck, vlbPriorCheck, vlbTermsCheck };

/** The training-side checks (issue 16), in the order they run; wired into the engine in phase 2. */
export const TRAINING_CHECKS: readonly SubjectCheck<any>[] = [
  scheduleNamedCheck,
  lossGradCheck,
  vlbTermsCheck,
  vlbPriorCheck,
  timestepSamplerCheck,
  lossInputGradCheck,
  inputOptimizationCheck,
  sdsGradCheck,
  sdsCollapseCheck,
];
