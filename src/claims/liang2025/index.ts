import type { Claim } from '../claim.ts';
import { mismatchClaims } from './mismatch.ts';
import { mixtureClaims } from './mixture.ts';
import { zeroShotClaims } from './zeroshot.ts';
import { boDdnmMixtureClaims } from './boDdnmMixture.ts';
import { mismatchAsymptoticsClaims } from './mismatchAsymptotics.ts';

/** Claims from the liang2025 seed, in registry order. */
export const liang2025Claims: readonly Claim[] = [...mismatchClaims, ...zeroShotClaims, ...mixtureClaims, ...mismatchAsymptoticsClaims, ...boDdnmMixtureClaims];
