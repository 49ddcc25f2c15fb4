export * from './affineGaussianObjective.ts';
export * from './conditionedData.ts';
export * from './dsmEsmSettings.ts';
export * from './affineClosedForm.ts';
export * from './weightedObjective.ts';
export * from './monteCarloObjectives.ts';
export * from './dsmMinusEsmMonteCarlo.ts';
