import type { Claim } from '../claim.ts';
import { boDdnmMixtureClaims } from './boDdnmMixture.ts';
import { mismatchAsymptoticsClaims } from './mismatchAsymptotics.ts';
import { mismatchClaims } from './mismatchClaims.ts';
import { mixtureClaims } from './mixtureClaims.ts';
import { zeroShotClaims } from './zeroShotClaims.ts';

/** Claims from the liang2025 seed, in registry order. */
export const liang2025Claims: readonly Claim[] = [...mismatchClaims, ...zeroShotClaims, ...mixtureClaims, ...mismatchAsymptoticsClaims, ...boDdnmMixtureClaims];
