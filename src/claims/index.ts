/** The claims registry behind `scorecheck verify` (library view). */
export * from './claim.ts';
export type { Figure, FigureSeries } from '../engine/figure.ts';
export * from './registry.ts';
export { controlClaims, brokenFisherControl, throwingCheckControl, type ControlClaim } from './control/selftest.ts';
