import type { Claim } from '../claim.ts';
import { biasDirectionClaims } from './biasDirection.ts';
import { dreamFusionClaims } from './dreamfusion.ts';
import { marClaims } from './mar.ts';
import { percoClaims } from './perco.ts';
import { inputBiasClaims } from './inputBiasClaims.ts';
import { sdsClaims } from './sdsClaims.ts';
import { vincentClaims } from './vincentClaims.ts';

/** Claims from the xu2025 seed, in registry order. */
export const xu2025Claims: readonly Claim[] = [...vincentClaims, ...inputBiasClaims, ...sdsClaims, ...biasDirectionClaims, ...marClaims, ...percoClaims, ...dreamFusionClaims];
