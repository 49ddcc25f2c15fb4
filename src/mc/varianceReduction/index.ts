export * from './batchScoreModel.ts';
export * from './gaussianGapTerms.ts';
export * from './reducedGapEstimators.ts';
export * from './densityIntegrandTerms.ts';
export * from '../controlVariate.ts';
export * from '../antithetic.ts';
