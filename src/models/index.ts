export * from './scoreModel.ts';
export * from './affineScoreModel.ts';
export * from './affineConditionalScoreModel.ts';
export * from './mlpScoreModel.ts';
export * from './linearEncoder.ts';
export * from './linearInverseProblem.ts';
export * from './batchScoreModel.ts';
