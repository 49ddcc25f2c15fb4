import type { Claim } from '../claim.ts';
import { tong2023Claims as cfmClaims } from './cfm.ts';

/** Claims from Tong et al. 2023, in registry order. */
export const tong2023Claims: readonly Claim[] = [...cfmClaims];
