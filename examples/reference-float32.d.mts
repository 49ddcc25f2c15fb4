// Types for the float32 DDPM reference subject (examples/reference-float32.mjs).
export interface Float32SubjectOptions {
  name?: string;
  tensors?: 'float32' | 'float64';
  schedule?: Record<string, unknown> & { kind: string; T: number };
  weighting?: { kind: string; gamma?: number };
  declare?: { precision?: string; coefficient_precision?: string };
}
export function createFloat32Subject(options?: Float32SubjectOptions): Record<string, unknown> & { hello: Record<string, unknown> };
export function float32Betas(spec: Record<string, unknown>): number[];
declare const subject: Record<string, unknown> & { hello: Record<string, unknown> };
export default subject;
