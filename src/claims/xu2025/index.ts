import type { Claim } from '../claim.ts';
import { inputBiasClaims } from './input-bias.ts';
import { sdsClaims } from './sds.ts';
import { vincentClaims } from './vincent.ts';
import { biasDirectionClaims } from './biasDirection.ts';
import { dreamFusionClaims } from './dreamfusion.ts';
import { marClaims } from './mar.ts';
import { percoClaims } from './perco.ts';

/** Claims from the xu2025 seed, in registry order. */
export const xu2025Claims: readonly Claim[] = [...vincentClaims, ...inputBiasClaims, ...sdsClaims, ...biasDirectionClaims, ...marClaims, ...percoClaims, ...dreamFusionClaims];
