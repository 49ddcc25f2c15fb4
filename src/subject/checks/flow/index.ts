import type { SubjectCheck } from '../checkDefinition.ts';
import type { FlowCheckContext } from './flowCheckContext.ts';
import { flowInterpolateCheck } from './flowInterpolateCheck.ts';
import { flowLossCheck } from './flowLossCheck.ts';
import { flowLossGradCheck } from './flowLossGradCheck.ts';
import { flowTimestepSamplerCheck } from './flowTimestepSamplerCheck.ts';

export type { FlowCheckContext } from './flowCheckContext.ts';
export { flowInterpolateCheck, flowLossCheck, flowLossGradCheck, flowTimestepSamplerCheck };

/** The flow-matching checks (issue 19), in the order they run; they need no ᾱ table. */
export const FLOW_CHECKS: readonly SubjectCheck<any, FlowCheckContext>[] = [flowInterpolateCheck, flowLossCheck, flowLossGradCheck, flowTimestepSamplerCheck];
