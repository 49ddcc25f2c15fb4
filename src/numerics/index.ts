export * from './gaussKronrod.ts';
export * from './gaussHermite.ts';
export * from './minimize.ts';
export * from './minimizeOnLine.ts';
export * from './noMinimizerError.ts';
export * from './powerLawFit.ts';
