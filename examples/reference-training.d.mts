// Types for the JS training reference subject (examples/reference-training.mjs).
export interface TrainingSubjectOptions {
  name?: string;
  parameterization?: 'eps' | 'x0' | 'v' | 'score';
  schedule?: Record<string, unknown> & { kind: string; T: number };
  variance?: { kind: 'fixed_small' | 'fixed_large' | 'learned_range' | 'learned' };
  vlbWeight?: number;
  hybrid?: boolean;
  sampler?: Record<string, unknown> & { kind: string };
  sds?: { gradient: 'sds' | 'full'; weighting: { kind: string; gamma?: number } };
  betas?: number[];
  patch?: (internals: Record<string, unknown>) => void;
}
export function createTrainingSubject(options?: TrainingSubjectOptions): Record<string, unknown> & { hello: Record<string, unknown> };
export function namedBetas(spec: Record<string, unknown>): number[];
export function discretizedLogLikelihood(x: number, mean: number, logScale: number): { ll: number; dMean: number; dLs: number };
declare const subject: Record<string, unknown> & { hello: Record<string, unknown> };
export default subject;
