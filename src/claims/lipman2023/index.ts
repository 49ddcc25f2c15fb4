import type { Claim } from '../claim.ts';
import { biasDirectionClaims } from './biasDirection.ts';
import { cfmClaims } from './cfm.ts';
import { distillationClaims } from './distillation.ts';
import { inputBiasClaims } from './inputBias.ts';
import { linkClaims } from './link.ts';
import { marginalFieldClaims } from './marginalField.ts';

/** Claims from Lipman et al. 2023 (and the flow-matching counterparts of Xu 2025 derived from them), in registry order. */
export const lipman2023Claims: readonly Claim[] = [...cfmClaims, ...marginalFieldClaims, ...linkClaims, ...inputBiasClaims, ...biasDirectionClaims, ...distillationClaims];
