export * from './scoreModel.ts';
export * from './affineScoreModel.ts';
export * from './affineConditionalScoreModel.ts';
export * from './mlpScoreModel.ts';
