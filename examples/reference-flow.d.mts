// Types for the JS flow-matching reference subject (examples/reference-flow.mjs).
export interface FlowSubjectOptions {
  name?: string;
  path?: { kind: 'rectified' } | { kind: 'ot'; sigma_min: number } | { kind: 'icfm'; sigma: number };
  prediction?: 'velocity' | 'x0' | 'eps';
  target?: 'velocity' | 'x0' | 'eps';
  weighting?: 'none' | 'sigma_sqrt' | 'cosmap';
  reduction?: 'mean' | 'sum';
  batchReduction?: 'mean' | 'sum';
  /** The network sees τ = timeScale·t; null: a network that ignores time (no network_time declared). */
  timeScale?: number | null;
  /** 'float32': every input cast and every arithmetic result rounded to float32 (declared in hello). */
  precision?: 'float64' | 'float32';
  sampler?: Record<string, unknown> & { kind: string };
  patch?: (internals: Record<string, unknown>) => void;
}
export function createFlowSubject(options?: FlowSubjectOptions): Record<string, unknown> & { hello: Record<string, unknown> };
export function shiftSigma(shift: number, s: number): number;
declare const subject: Record<string, unknown> & { hello: Record<string, unknown> };
export default subject;
