export * from './rng.ts';
export * from './estimate.ts';
export * from './normalQuantile.ts';
export * from './tolerance.ts';
export * from './falseAlarmBudget.ts';
export * from './controlVariate.ts';
export * from './antithetic.ts';
export * from './mmdEstimate.ts';
