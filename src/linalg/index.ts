export * from './matrix.ts';
export * from './vector.ts';
export * from './cholesky.ts';
export * from './pseudoInverse.ts';
export * from './symmetricEigen.ts';
export * from './symmetricChecks.ts';
export * from './requirePSD.ts';
export * from './tridiagonalEigen.ts';
