/** The claims registry and the runner behind `scorecheck verify` (library view). */
export * from './claim.ts';
export * from './figure.ts';
export * from './registry.ts';
export * from './verdict.ts';
export * from './runner.ts';
export * from './replay.ts';
export * from './counterexampleStore.ts';
export * from './selectClaims.ts';
export { controlClaims, brokenFisherControl, throwingCheckControl } from './controls.ts';
export { SCORECHECK_VERSION } from './scorecheckVersion.ts';
