/** scorecheck — the public library API. */
export * from './errors.ts';
export * from './validate.ts';
export * from './linalg/index.ts';
export * from './mc/index.ts';
export * from './gaussian/index.ts';
export * from './diffusion/index.ts';
export * from './arbitraries/index.ts';
