export * from './gaussian.ts';
export * from './mixture.ts';
export * from './affineExpectation.ts';
export * from './klDivergence.ts';
export * from './gaussianKernel.ts';
