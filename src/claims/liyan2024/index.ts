import type { Claim } from '../claim.ts';
import { affineElboFitClaims } from './affineElboFit.ts';
import { classifierPointClaims } from './classifierPoint.ts';
import { discreteFormulaClaims } from './discreteFormula.ts';
import { ganRegularizationClaims } from './ganRegularization.ts';
import { classifierBayes, diffusionLossSurrogate, marRanking } from './applicationClaims.ts';
import { formulaGaussian, formulaMismatch, formulaMixture } from './densityFormulaClaims.ts';
import { decompositionExact, elboBoundsDataPointwise, elboBoundsModel, elboGapVanishes, elboMinimizer } from './elboClaims.ts';

/** Claims from the liyan2024 seed, in registry order. */
export const liyan2024Claims: readonly Claim[] = [
  formulaGaussian,
  formulaMixture,
  formulaMismatch,
  decompositionExact,
  elboBoundsModel,
  elboBoundsDataPointwise,
  elboGapVanishes,
  elboMinimizer,
  classifierBayes,
  diffusionLossSurrogate,
  marRanking,
  ...discreteFormulaClaims,
  ...affineElboFitClaims,
  ...classifierPointClaims,
  ...ganRegularizationClaims,
];
