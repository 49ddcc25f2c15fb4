/** scorecheck — the public library API. */
export * from './errors.ts';
export * from './validate.ts';
export * from './linalg/index.ts';
export * from './mc/index.ts';
export * from './gaussian/index.ts';
export * from './diffusion/index.ts';
export * from './arbitraries/index.ts';
export * from './theory/vincent.ts';
export * from './theory/vincentScoreFunction.ts';
export * from './theory/inputBias.ts';
export * from './theory/sds.ts';
export * from './models/index.ts';
export * from './objectives/index.ts';
export * from './mc/varianceReduction/index.ts';
