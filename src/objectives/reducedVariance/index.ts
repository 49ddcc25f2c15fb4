export * from './gaussianGapTerms.ts';
export * from './reducedGapEstimators.ts';
export * from './densityIntegrandTerms.ts';
export * from './plannedGapEstimate.ts';
export * from './sameDrawGapEstimate.ts';
