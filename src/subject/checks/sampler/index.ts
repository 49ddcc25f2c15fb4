export * from './samplerCheckContext.ts';
export * from './sampleRequest.ts';
export * from './compareLoop.ts';
export * from './sampleExactCheck.ts';
export * from './samplerProperties.ts';
export * from './sampleNetworkTimeCheck.ts';
export * from './sampleQualityCheck.ts';
