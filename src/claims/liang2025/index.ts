import type { Claim } from '../claim.ts';

/** Claims from the liang2025 seed, in registry order. */
export const liang2025Claims: readonly Claim[] = [];
