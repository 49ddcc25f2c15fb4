export * from './noiseLevel.ts';
export * from './schedule.ts';
export * from './forward.ts';
export * from './parameterization.ts';
export * from './tweedie.ts';
export * from './posterior.ts';
export * from './reverseVariance.ts';
export * from './reverseSampler.ts';
