// Types for the JS reference subject (examples/reference-subject.mjs).
export interface ReferenceSubjectOptions {
  name?: string;
  parameterization?: 'eps' | 'x0' | 'v' | 'score';
  weighting?: { kind: string; gamma?: number };
  reduction?: 'mean' | 'sum';
  stepVariance?: 'beta' | 'beta_tilde';
  zeroShotVariant?: 'ddnm' | 'bo_ddnm';
  T?: number;
  tBase?: 0 | 1;
}
export function createReferenceSubject(options?: ReferenceSubjectOptions): Record<string, unknown> & { hello: unknown };
export function seededNormals(seed: number): { uniform(): number; normal(): number };
export function linearBetas(T: number, start?: number, end?: number): number[];
export function cumprod(betas: number[]): number[];
export function solve(A: number[][], B: number[][]): number[][];
export function pinvFullRowRank(H: number[][]): number[][];
declare const subject: Record<string, unknown> & { hello: unknown };
export default subject;
