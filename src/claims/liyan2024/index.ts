import type { Claim } from '../claim.ts';
import { classifierClaims } from './classifier.ts';
import { ddpmClaims } from './ddpm.ts';
import { densityFormulaClaims } from './densityFormula.ts';
import { diffusionLossClaims } from './diffusionLoss.ts';
import { elboClaims } from './elbo.ts';
import { elboFitClaims } from './elboFit.ts';
import { ganRegularizationClaims } from './ganRegularization.ts';

/** Claims from the liyan2024 seed, in registry order; family `<f>` lives in `./<f>.ts`. */
export const liyan2024Claims: readonly Claim[] = [
  ...densityFormulaClaims,
  ...ddpmClaims,
  ...elboClaims,
  ...elboFitClaims,
  ...classifierClaims,
  ...diffusionLossClaims,
  ...ganRegularizationClaims,
];
