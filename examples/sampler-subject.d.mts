export declare function decodeArray(a: unknown): { data: Float64Array; shape: number[] };
export declare function encodeArray(data: ArrayLike<number>, shape: number[], binary: boolean): unknown;
export declare function roundHalfEven(x: number): number;
export declare function lin(...pairs: [number, ArrayLike<number>][]): Float64Array;
export declare const DEFAULT_SAMPLERS: Record<string, Record<string, unknown>>;
export interface SamplerSubjectOptions {
  name?: string;
  T?: number;
  tBase?: 0 | 1;
  parameterization?: string;
  networkTime?: unknown;
  arrays?: 'nested' | 'base64';
  zeroTerminalSnr?: boolean;
  samplers?: Record<string, Record<string, unknown>>;
}
export declare class SamplerSubject {
  constructor(options?: SamplerSubjectOptions);
  readonly hello: Record<string, unknown>;
  schedule(): { alpha_bar: number[]; t_base: 0 | 1 };
  sample(args: unknown): { x_final: unknown; tau: number[] };
  [piece: string]: unknown;
}
declare const subject: SamplerSubject;
export default subject;
